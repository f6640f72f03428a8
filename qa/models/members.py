"""Members: the people of a study group, with or without a login account."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..text import validate_one_line

# A look at a board further apart than this from the one before starts a new visit.
VISIT_GAP = timedelta(hours=1)
# last_seen_at is written at most this often.
SEEN_EVERY = timedelta(minutes=5)
NEW_FOR_YOU_LIMIT = 10


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

    def touch_news(self):
        """Count a change to what these members' "new for you" may list (news_revision)."""
        return self.update(news_revision=F("news_revision") + 1)

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
    notify_by_email = models.BooleanField(
        _("e-mail me about answers and follow-ups"),
        default=True,
        help_text=_(
            "An e-mail when someone answers your question or follows up on your answer."
        ),
    )
    # "New for you" on the board (see saw_board()): when the member last had a board, to
    # within SEEN_EVERY, and since when the board lists what happened for them.
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    new_since = models.DateTimeField(null=True, blank=True, editable=False)
    # Counts every change to what new_for_you() may list (qa.models.writing.touch_rounds()),
    # so a page kept for this member (qa.pagecache) is never kept past one.
    news_revision = models.PositiveIntegerField(default=0, editable=False)

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

    @property
    def email(self):
        """Where the member is e-mailed; "" without an active account with an address."""
        user = self.user
        return user.email if user is not None and user.is_active else ""

    def saw_board(self, now):
        """Count a look at a board as part of a visit, which decides what is "new for you".

        A visit is a run of board pages with no gap longer than VISIT_GAP. The list shows
        what happened since the end of the previous visit (the member's last_seen_at when
        this visit began), so it stays put while the member reads and only grows; "Mark as
        seen" (mark_news_seen()) empties it. Without any earlier visit, it shows the newest.

        last_seen_at is only moved once it is SEEN_EVERY old, so a member reading the board
        costs one small UPDATE every few minutes, decided from the row loaded with the
        account; the UPDATE itself says whether this look starts a visit, so two requests
        at once cannot both move new_since.
        """
        if self.last_seen_at is not None and now - self.last_seen_at < SEEN_EVERY:
            return
        starts_visit = self.last_seen_at is None or now - self.last_seen_at >= VISIT_GAP
        if starts_visit:
            self.new_since = self.last_seen_at
        self.last_seen_at = now
        Member.objects.filter(pk=self.pk).filter(
            Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_EVERY)
        ).update(
            new_since=Case(
                When(
                    Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - VISIT_GAP),
                    then=F("last_seen_at"),
                ),
                default=F("new_since"),
            ),
            last_seen_at=Value(now),
        )

    def mark_news_seen(self, now):
        """Empty "new for you": it lists only what happens from `now` on."""
        self.new_since = self.last_seen_at = now
        Member.objects.filter(pk=self.pk).update(new_since=now, last_seen_at=now)

    def new_for_you(self, limit=NEW_FOR_YOU_LIMIT):
        """What others did for this member since new_since, newest first, in one query:
        answers to their questions (not imported ones) and follow-ups on their answers."""
        from .answers import Answer
        from .follow_ups import FollowUp

        def items(rows, kind, answer_id, question):
            if self.new_since is not None:
                rows = rows.filter(created__gt=self.new_since)
            return (
                rows.exclude(author=self)
                .order_by()  # the models' orderings: SQL takes one for the whole union
                .annotate(
                    n_kind=Value(kind),
                    n_pk=F("pk"),
                    n_at=F("created"),
                    n_who=F("author__name"),
                    n_answer=F(answer_id),
                    n_question=F(f"{question}_id"),
                    n_text=F(f"{question}__search_text"),
                )
                .values("n_kind", "n_pk", "n_at", "n_who", "n_answer", "n_question", "n_text")
            )

        # Imported answers have no writer in the app (edited_by), and arrive by the week.
        answers = Answer.objects.filter(question__author=self, edited_by__isnull=False)
        follow_ups = FollowUp.objects.filter(answer__author=self)
        rows = items(answers, "answer", "pk", "question").union(
            items(follow_ups, "follow-up", "answer_id", "answer__question")
        )
        return [NewItem(**row) for row in rows.order_by("-n_at", "-n_pk")[:limit]]


class NewItem:
    """One line of "new for you": an answer to the member's question or a follow-up on
    their answer, by `who`."""

    def __init__(self, n_kind, n_pk, n_at, n_who, n_answer, n_question, n_text):
        from .questions import TITLE_LENGTH

        self.kind, self.pk, self.at, self.who = n_kind, n_pk, n_at, n_who
        self.answer_id, self.question_id = n_answer, n_question
        # As Question.title, from the one column the list needs.
        self.title = Truncator(n_text).chars(TITLE_LENGTH) or gettext("your question")

    @property
    def is_answer(self):
        return self.kind == "answer"

    def get_absolute_url(self):
        question = reverse("qa:question-detail", kwargs={"pk": self.question_id})
        if self.is_answer:
            return f"{question}#answer-{self.answer_id}"
        return f"{question}#follow-up-{self.pk}"
