from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("qa", "0004_merge_0002_search_0003_participation"),
    ]

    operations = [
        migrations.AddField(
            model_name="round",
            name="revision",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
