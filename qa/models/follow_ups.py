"""Follow-up questions (꼬리 질문): short comments under an answer, which may become a
question of the next round."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .answers import Answer
from .members import Member
from .questions import Question
from .rounds import Round

FOLLOW_UP_MAX_LENGTH = 5_000


class FollowUp(models.Model):
    answer = models.ForeignKey(
        Answer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    author = models.ForeignKey(
        Member, verbose_name=_("author"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    # The answer's, as Answer.round is the question's: the board counts follow-ups and
    # versions its page by round without joining through the answers.
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, editable=False, related_name="follow_ups"
    )
    body = models.TextField(
        _("follow-up (Markdown)"),
        validators=[
            MaxLengthValidator(
                FOLLOW_UP_MAX_LENGTH,
                message=_(
                    "A follow-up can be at most %(limit_value)d characters long "
                    "(it has %(show_value)d)."
                ),
            )
        ],
    )
    body_html = models.TextField(editable=False, default="")
    # The question it became in a later round, if it was promoted.
    promoted_to = models.OneToOneField(
        Question,
        verbose_name=_("promoted to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="promoted_from",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("follow-up question")
        verbose_name_plural = _("follow-up questions")
        indexes = [models.Index(fields=["answer", "created"], name="qa_followup_answer_created")]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="qa_followup_body_not_blank"),
        ]

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"
