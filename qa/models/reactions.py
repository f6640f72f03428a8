"""Reactions: a member's 👍 💡 ❓ on an answer, one of each."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .answers import Answer
from .members import Member


class ReactionQuerySet(models.QuerySet):
    def pressed_by(self, member, round_id):
        """The (answer id, kind) of the member's reactions in a round: one small query for
        every button a page shows them."""
        rows = self.filter(member=member, answer__round_id=round_id)
        return set(rows.values_list("answer_id", "kind"))


class Reaction(models.Model):
    class Kind(models.TextChoices):
        # The values are URL parts and CSS names; the labels are what the board shows.
        THANKS = "thanks", "👍"
        INSIGHT = "insight", "💡"
        UNCLEAR = "unclear", "❓"

    # What each button means, for its accessible name and its tooltip.
    MEANINGS = {
        Kind.THANKS: pgettext_lazy("reaction", "Thanks"),
        Kind.INSIGHT: pgettext_lazy("reaction", "Learned something"),
        Kind.UNCLEAR: pgettext_lazy("reaction", "Unclear"),
    }

    answer = models.ForeignKey(
        Answer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="reactions"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(_("reaction"), max_length=10, choices=Kind.choices)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ReactionQuerySet.as_manager()

    class Meta:
        ordering = ["answer", "kind", "created"]
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "member", "kind"], name="qa_reaction_unique_member_kind"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["thanks", "insight", "unclear"]),
                name="qa_reaction_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.member} → {self.answer_id}"

    @staticmethod
    def count_field(kind):
        """The name of an answer's count of `kind` (AnswerQuerySet.with_reaction_counts())."""
        return f"{kind}_count"
