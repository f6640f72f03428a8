"""Members: the people of a study group, with or without a login account."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..text import validate_one_line


def member_of(user):
    """The member an account takes part as; None for visitors and accounts not linked to one."""
    # Loaded with the account (qa.backends.MemberBackend); Django caches the reverse
    # one-to-one, even a missing one, so this is one query per request at most otherwise.
    return getattr(user, "member", None)


def is_author(user, author_id):
    """Whether the account takes part as the member who wrote something."""
    member = member_of(user)
    return member is not None and member.pk == author_id


def display_name(user):
    member = member_of(user)
    return member.name if member else user.get_username()


class MemberQuerySet(models.QuerySet):
    def unclaimed(self):
        """Members without a login account yet, such as those imported from files."""
        return self.filter(user__isnull=True)

    def named(self, name):
        """Members whose name is `name` in any letter case: two such names would be confused
        on a board, so a new or changed name must find none (the constraint is exact)."""
        return self.filter(name__iexact=name)

    def with_history_counts(self, rounds):
        """Each member's questions, picks and answers in `rounds`, counted by the database."""
        from . import Answer, Pick, Question
        from .rounds import _count_of

        def count(model, field):
            rows = model.objects.filter(**{field: models.OuterRef("pk")}, round__in=rounds)
            return _count_of(rows, field)

        return self.annotate(
            question_count=count(Question, "author"),
            pick_count=count(Pick, "picker"),
            answer_count=count(Answer, "author"),
        )


class Member(models.Model):
    name = models.CharField(_("name"), max_length=50, validators=[validate_one_line])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        help_text=_("Members imported from files have no account until a curator links one."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["name"], name="qa_member_unique_name"),
            models.CheckConstraint(condition=~Q(name=""), name="qa_member_name_not_blank"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("qa:member-detail", kwargs={"name": self.name})


