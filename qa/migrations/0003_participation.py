# Members take part on the board: a question limit per round, answer versions for
# conflict detection, and revisions keeping every replaced answer text.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("qa", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="round",
            name="question_limit",
            field=models.PositiveSmallIntegerField(
                default=4,
                help_text="How many questions each member may post on the board in this round.",
                verbose_name="questions per member",
            ),
        ),
        migrations.AddConstraint(
            model_name="round",
            constraint=models.CheckConstraint(
                condition=models.Q(("question_limit__gte", 1)),
                name="qa_round_question_limit_positive",
                violation_error_code="question_limit_positive",
                violation_error_message="Each member may post at least one question.",
            ),
        ),
        migrations.AlterField(
            model_name="answer",
            name="body",
            field=models.TextField(
                validators=[
                    django.core.validators.MaxLengthValidator(
                        50000,
                        message=(
                            "An answer can be at most %(limit_value)d characters long "
                            "(it has %(show_value)d)."
                        ),
                    )
                ],
                verbose_name="answer (Markdown)",
            ),
        ),
        migrations.AddField(
            model_name="answer",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="answer",
            name="edited_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Empty for imported text, which is the author's own.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="last edited by",
            ),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.CheckConstraint(
                condition=models.Q(("version__gte", 1)), name="qa_answer_version_positive"
            ),
        ),
        migrations.CreateModel(
            name="Revision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField(verbose_name="version")),
                ("body", models.TextField(verbose_name="answer (Markdown)")),
                ("saved", models.DateTimeField(verbose_name="saved")),
                (
                    "answer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revisions",
                        to="qa.answer",
                        verbose_name="answer",
                    ),
                ),
                (
                    "edited_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for imported text, which is the author's own.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="written by",
                    ),
                ),
            ],
            options={
                "verbose_name": "revision",
                "verbose_name_plural": "revisions",
                "ordering": ["answer", "-version"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("answer", "version"), name="qa_revision_unique_answer_version"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("version__gte", 1)), name="qa_revision_version_positive"
                    ),
                ],
            },
        ),
    ]
