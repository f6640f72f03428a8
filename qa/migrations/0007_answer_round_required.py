import django.db.models.deletion
from django.db import migrations, models


# Apart from 0006: on PostgreSQL a table cannot be altered in the transaction that has just
# updated its rows ("pending trigger events").
class Migration(migrations.Migration):
    dependencies = [
        ("qa", "0006_answer_round"),
    ]

    operations = [
        migrations.AlterField(
            model_name="answer",
            name="round",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="answers",
                to="qa.round",
            ),
        ),
    ]
