import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_rounds(apps, schema_editor):
    Answer = apps.get_model("qa", "Answer")
    Question = apps.get_model("qa", "Question")
    Answer.objects.update(
        round_id=Subquery(Question.objects.filter(pk=OuterRef("question_id")).values("round_id"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("qa", "0005_round_revision"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="round",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="answers",
                to="qa.round",
            ),
        ),
        migrations.RunPython(copy_rounds, migrations.RunPython.noop),
    ]
