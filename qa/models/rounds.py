"""Rounds: a study group's weeks, each with its board of questions, picks and answers."""

import functools
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connections, models, transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..compiled import OneRowQuery, fetch
from ..text import validate_one_line
from .members import Member, member_of

logger = logging.getLogger(__name__)


def _count_of(queryset, field):
    """A correlated COUNT subquery; joining several child tables would multiply rows."""
    counted = queryset.order_by().values(field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted), Value(0))


class RoundQuerySet(models.QuerySet):
    def visible(self):
        """Rounds the board shows; drafts are for curators only.

        The one statement of that rule: Round.is_visible() reads the same DRAFTS, and
        Round.for_board() compiles its condition from this QuerySet.
        """
        return self.exclude(state__in=Round.DRAFTS)

    def in_progress(self):
        """Rounds members are working on: the home page shows the newest of them."""
        return self.filter(state__in=Round.IN_PROGRESS)

    def visible_to(self, user):
        """Curators see drafts too; Round.is_visible_to() is the same rule for one round."""
        return self if user.is_staff else self.visible()

    def touch(self):
        """Count a change to these rounds' boards (see Round.revision)."""
        return self.update(revision=F("revision") + 1)

    def advance(self, now, dry_run=False):
        """Move each of these rounds whose date has passed to its next state, and open the next
        scheduled round once no earlier round is under way or scheduled; again until nothing
        moves, so a missed run catches up. Returns the moves as (round, old state, new state).

        Each move goes through the write path (qa.models.writing.move_round), so cached boards
        show it; a round someone else moved in the meantime is left as they left it. Running it
        again at the same time moves nothing.
        """
        from .writing import move_round

        today = timezone.localdate(now)
        moves = []
        with transaction.atomic():
            rounds = list(
                self.filter(Q(state__in=Round.IN_PROGRESS) | Round.SCHEDULED)
                .select_for_update()
                .order_by("number")
            )
            # Each round moves at most three times (draft, open, answering, closed).
            for _step in range(3 * len(rounds)):
                round_, state = _next_move(rounds, now, today)
                if round_ is None:
                    break
                old = round_.state
                if not dry_run and not move_round(round_, state, now):
                    rounds.remove(round_)  # moved by someone else: theirs stands
                    continue
                round_.state = state
                moves.append((round_, old, state))
        return moves

    def history(self, newest_entry=False):
        """What every member page and search is versioned by (History), in one query.

        The query is compiled once per process (_history_sql()) and reads no round: every
        member page asks it before its kept copy is served, and an aggregate of every round
        grew with the history (0.7 ms of PostgreSQL's time at 2,800 rounds, against 0.1 for
        a trivial query). With `newest_entry`, the newest search entry's id comes with it
        (find()'s split).
        """
        sql, params = _history_sql(self.db, newest_entry)
        changes, pending, hiding, *newest = fetch(self.db, sql, params, 1)[0]
        if pending > RoundChange.COMPACT_AFTER:
            RoundChange.objects.using(self.db).compact()
        # int(): PostgreSQL sums bigints as numeric.
        return History(int(changes), bool(hiding), newest[0] if newest else None)

    def with_counts(self):
        from . import Answer, Pick, Question

        return self.annotate(
            question_count=_count_of(Question.objects.filter(round=OuterRef("pk")), "round"),
            pick_count=_count_of(Pick.objects.filter(round=OuterRef("pk")), "round"),
            answer_count=_count_of(Answer.objects.filter(round=OuterRef("pk")), "round"),
        )


def _next_move(rounds, now, today):
    for round_ in rounds:
        state = round_.state_due(now, today, rounds)
        if state is not None:
            return round_, state
    return None, None


class Round(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUESTIONS_OPEN = "open", _("Questions open")
        ANSWERING = "answering", _("Answering")
        CLOSED = "closed", _("Closed")

    # Rounds in these states are for curators only (RoundQuerySet.visible()).
    DRAFTS = frozenset({State.DRAFT})
    # Rounds in these states are this week's (RoundQuerySet.in_progress()).
    IN_PROGRESS = frozenset({State.QUESTIONS_OPEN, State.ANSWERING})
    # A draft with a date for its questions is scheduled: advance_rounds opens it.
    SCHEDULED = Q(state=State.DRAFT, questions_due__isnull=False)

    number = models.PositiveIntegerField(_("round number"))
    title = models.CharField(
        _("title"), max_length=200, blank=True, validators=[validate_one_line]
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT
    )
    questions_due = models.DateTimeField(
        _("questions due"),
        null=True,
        blank=True,
        help_text=_(
            "When question lists close and answering starts. On a draft it schedules the "
            "round: it opens for questions when no earlier round is under way or scheduled, "
            "and not before its start date."
        ),
    )
    answers_due = models.DateTimeField(
        _("answers due"), null=True, blank=True, help_text=_("When the round closes.")
    )
    question_limit = models.PositiveSmallIntegerField(
        _("questions per member"),
        default=4,
        help_text=_("How many questions each member may post on the board in this round."),
    )
    uses_picks = models.BooleanField(
        _("uses 👀 picks"),
        default=True,
        help_text=_(
            "On: members answer the questions picked with 👀. Off: every question may be "
            "answered, and the board shows every answered question (imported weeks without 👀)."
        ),
    )
    blind_answers = models.BooleanField(
        _("blind answering"),
        default=True,
        help_text=_(
            "While the round takes answers, members see others' answers to a question only "
            "after posting their own; the question's author and curators see them all. "
            "Everything shows once the round closes."
        ),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # Goes up with every saved or deleted question, pick and answer of the round, and with
    # every member's rename (qa.models.writing, qa/revisions.py), in the same transaction:
    # cached pages are keyed by it, so they are never stale and need no invalidation.
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        indexes = [
            # This week's round (for_board()): the newest in progress, however many are not.
            models.Index(
                fields=["number"],
                condition=Q(state__in=["open", "answering"]),
                name="qa_round_in_progress",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="qa_round_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="qa_round_number_positive"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="qa_round_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "open", "answering", "closed"]),
                name="qa_round_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(questions_due__isnull=True)
                | Q(answers_due__isnull=True)
                | Q(answers_due__gt=F("questions_due")),
                name="qa_round_answers_due_after_questions",
                violation_error_code="answers_due_before_questions",
                violation_error_message=_("Answers are due after questions."),
            ),
            models.CheckConstraint(
                condition=Q(question_limit__gte=1),
                name="qa_round_question_limit_positive",
                violation_error_code="question_limit_positive",
                violation_error_message=_("Each member may post at least one question."),
            ),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return self.title or gettext("Round %(number)d") % {"number": self.number}

    def get_absolute_url(self):
        return reverse("qa:round-detail", kwargs={"number": self.number})

    def is_visible(self):
        return self.state not in self.DRAFTS

    def is_visible_to(self, user):
        """Drafts are for curators, who review a round before publishing it (see visible_to)."""
        return user.is_staff or self.is_visible()

    @classmethod
    def for_board(cls, number=None):
        """The round numbered `number`, or else this week's; None if there is none.

        This week's is the newest round in progress; with none in progress, the newest
        visible one. The round comes with `previous_number` and `next_number`, its visible
        neighbours, for the board's links between weeks.

        Compiled once (qa.compiled): for a kept board this lookup is most of the work left,
        and building the query took the ORM twice as long as running it (docs/PERFORMANCE.md).
        Whether the reader may see it is for is_visible_to().
        """
        if number is None:
            return _THIS_WEEKS_ROUND.get()
        return _BOARDS_ROUND.get(number)

    @classmethod
    def for_question_page(cls, question_id):
        """The round of a question, looked up as for_board() looks up a board's."""
        return _QUESTIONS_ROUND.get(question_id)

    @property
    def page_version(self):
        """Changes whenever anything its board or question pages show changes.

        The state is read directly: the admin's bulk state action does not move `updated`.
        """
        return f"{self.pk}.{self.revision}.{self.updated.timestamp()}.{self.state}"

    def is_in_progress(self):
        return self.state in self.IN_PROGRESS

    def is_open_for_questions(self):
        return self.state == self.State.QUESTIONS_OPEN

    def is_open_for_answers(self):
        return self.state == self.State.ANSWERING

    def hides_answers(self):
        """Whether others' answers are hidden from members who have not answered yet."""
        return self.blind_answers and self.is_open_for_answers()

    @classmethod
    def hiding_answers(cls, via=""):
        """hides_answers() as a condition on rounds, or on the round at `via` ("round__")."""
        return Q(**{f"{via}blind_answers": True, f"{via}state": cls.State.ANSWERING})

    def reveal_for(self, user, question_id=None):
        """Which answers of this round (of one question) `user` may read, as a Reveal for its
        board (its question page); a query only while the round hides answers from a member."""
        from . import Answer
        from .answers import Reveal

        if not self.hides_answers():
            return Reveal()
        answers = Answer.objects.filter(round=self)
        if question_id is not None:
            answers = answers.filter(question_id=question_id)
        return answers.reveal(member_of(user), curator=user.is_staff)

    @property
    def board_version(self):
        """page_version, and the neighbours the board links to (from for_board()).

        A round published, added or deleted next to this one changes the links, not this
        round's revision: naming the neighbours in the version keeps the cached board true.
        So does the time left to its deadline, as the board shows it.
        """
        left = self.deadline.shown_left if self.deadline else None
        return f"{self.page_version}.{self.previous_number}.{self.next_number}.{left}"

    @functools.cached_property
    def deadline(self):
        """The date the round is working towards now, or None: questions due while questions
        are open, answers due while answering. Cached, so the board and its version agree."""
        if self.is_open_for_questions() and self.questions_due:
            return Deadline(gettext("Questions due"), self.questions_due, timezone.now())
        if self.is_open_for_answers() and self.answers_due:
            return Deadline(gettext("Answers due"), self.answers_due, timezone.now())
        return None

    def state_due(self, now, today, rounds=()):
        """The state this round is due to move to at `now` (on `today`, the group's date), or
        None. A scheduled draft opens once each of `rounds` (those under way or scheduled)
        before it is closed; a draft nobody scheduled holds nothing up."""
        if self.is_open_for_questions() and self.questions_due and self.questions_due <= now:
            return self.State.ANSWERING
        if self.is_open_for_answers() and self.answers_due and self.answers_due <= now:
            return self.State.CLOSED
        if (
            self.state == self.State.DRAFT
            and self.questions_due is not None
            and (self.starts_on is None or self.starts_on <= today)
            and all(r.state == self.State.CLOSED for r in rounds if r.number < self.number)
        ):
            return self.State.QUESTIONS_OPEN
        return None

    def check_add_question(self, user):
        """Members add to their own list while questions are open, curators at any time:
        otherwise PermissionDenied. Both within the round's limit: otherwise ValidationError."""
        member = member_of(user)
        if member is None or not (user.is_staff or self.is_open_for_questions()):
            raise PermissionDenied
        self.check_room_for_question(member, self.question_count_of(member))

    def can_add_question(self, user):
        try:
            self.check_add_question(user)
        except (PermissionDenied, ValidationError):
            return False
        return True

    def can_pick(self, user):
        """Members pick while the round takes answers; curators at any time."""
        return user.is_staff or (member_of(user) is not None and self.is_open_for_answers())

    def can_edit_questions(self, user):
        """Members edit, reorder and delete their own lists while questions are open; curators
        any list at any time (Question.can_edit asks whose list it is)."""
        return user.is_staff or (member_of(user) is not None and self.is_open_for_questions())

    def may_act_on_questions(self, user):
        """Whether any question of this round may offer the reader an action (edit, move, 👀).

        The round's part of Question's checks: each needs can_pick() (which curators, the
        only ones with the group's 👀, always pass) or can_edit_questions(). A board asks this
        before its questions' three checks each, which a closed round fails for every member
        (test_permissions checks the two agree).
        """
        return self.can_pick(user) or self.can_edit_questions(user)

    def question_count_of(self, author):
        """How many questions the author has in this round; from the board when it is loaded."""
        lists = getattr(self, "_list_sizes", None)
        if lists is not None:
            return lists.get(author.pk, 0)
        return self.questions.filter(author=author).count()

    def check_room_for_question(self, author, count=None):
        if count is None:
            count = self.questions.filter(author=author).count()
        if count >= self.question_limit:
            raise ValidationError(
                _("You already have %(limit)d questions in this round."),
                code="question_limit",
                params={"limit": self.question_limit},
            )

    def next_label(self, author):
        """The label a new question of the author's gets unless they write another."""
        last = self.questions.filter(author=author).order_by("-position", "-pk").first()
        count = self.questions.filter(author=author).count()
        return next_label(last.label if last else "", count + 1)

    def add_question(self, author, text, label=""):
        """Append a question to the author's list, within the round's limit; a blank label
        becomes the next number."""
        from . import Question

        with transaction.atomic():
            # Locking the author makes their simultaneous adds take turns, so the
            # count and the next position are never read by two requests at once.
            Member.objects.select_for_update().filter(pk=author.pk).first()
            self.check_room_for_question(author)
            last = self.questions.filter(author=author).aggregate(last=Max("position"))["last"] or 0
            question = Question(
                round=self,
                author=author,
                position=last + 1,
                label=label.strip() or self.next_label(author),
                text=text,
            )
            question.full_clean()
            question.save()
        return question

    def clean(self):
        if self.questions_due and self.answers_due and self.answers_due <= self.questions_due:
            raise ValidationError(
                {
                    "answers_due": ValidationError(
                        _("Answers are due after questions."), code="answers_due_before_questions"
                    )
                }
            )
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {
                    "ends_on": ValidationError(
                        _("A round cannot end before it starts."), code="ends_before_start"
                    )
                }
            )

    def board(self, reveal=None):
        """Everything the weekly board shows, in the sample file's order, in four queries.

        Given the reader's `reveal` (reveal_for()), each question also learns the answers the
        reader may read (`shown_answers`) and how many others are hidden; without it, a
        template showing `shown_answers` shows none.

        `picked` is the questions whose answers the board shows: the 👀 ones, or in a round
        without picks every answered question.

        Each question also learns its place in its list (`number`) and the picks on its
        whole list (`list_picks`), which its label and its permissions read.
        """
        from . import Question

        questions = list(Question.objects.filter(round=self).for_board())
        lists = {}
        for question in questions:  # ordered by first appearance of each author
            question.round = self
            lists.setdefault(question.author, []).append(question)
        member_lists = []
        for author, items in lists.items():
            items.sort(key=lambda q: (q.position, q.pk))
            list_picks = [pick for question in items for pick in question.picks_on_board]
            for number, question in enumerate(items, start=1):
                question.number, question.list_picks = number, list_picks
            member_lists.append((author, items))
        self._list_sizes = {
            author.pk: len(items) for author, items in member_lists if author is not None
        }
        picked = [q for _author, items in member_lists for q in items if q.takes_answers_on_board]
        if reveal is not None:
            for question in questions:
                question.show_answers(reveal)
        return member_lists, picked


@dataclass(frozen=True)
class History:
    """What member pages and searches are versioned by (RoundQuerySet.history())."""

    # The committed RoundChanges' total weight: it goes up with every write to any round.
    changes: int
    # Whether some round hides answers (blind answering): readers then see different pages.
    hiding: bool
    newest_entry: int | None = None

    def version(self, reader=None):
        """Changes whenever anything a member's page or a search may show changes, and for
        a `reader` while some round hides answers, with the answers they may read (one
        query, Answer.objects.reveal())."""
        if reader is None or not self.hiding:
            return str(self.changes)
        from . import Answer

        reveal = Answer.objects.in_hiding_rounds().reveal(member_of(reader), reader.is_staff)
        return f"{self.changes}.{reveal.key}"


class RoundChangeQuerySet(models.QuerySet):
    def compact(self):
        """Fold the committed changes into one row of their total weight, so that history()
        reads a few rows; the total, and so every version, stays as it was.

        Upkeep a reader does now and then: rows another compaction holds are left to it, and
        if the database is busy (SQLite's one writer), to the next reader.
        """
        try:
            with transaction.atomic(using=self.db):
                rows = list(self.select_for_update(skip_locked=True).values_list("pk", "weight"))
                if len(rows) > 1:
                    self.filter(pk__in=[pk for pk, _weight in rows]).delete()
                    self.create(weight=sum(weight for _pk, weight in rows))
        except DatabaseError:
            logger.warning("round changes not compacted", exc_info=True)


class RoundChange(models.Model):
    """A statement that wrote rounds, recorded by the database itself.

    Triggers on qa_round add one in the writer's own transaction (migration 0022): on
    PostgreSQL one per statement, on SQLite one per row. So everything that writes rounds
    counts without having to remember to: the write path (every write to a board counts in
    its round's revision), the admin's bulk actions, cascades, SQL typed at a prompt. A reader
    sees the total weight go up exactly when the write is committed. Rows are only added, or
    folded together by compact(), so the total never goes back to an earlier value.
    """

    COMPACT_AFTER = 100

    weight = models.PositiveBigIntegerField(default=1)

    objects = RoundChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("change to rounds")
        verbose_name_plural = _("changes to rounds")

    def __str__(self):
        return f"+{self.weight}"


@dataclass(frozen=True)
class Deadline:
    """A round's next date, and the time left to it at `now`, as the board shows them."""

    label: str
    at: datetime
    now: datetime

    @property
    def passed(self):
        return self.at <= self.now

    @property
    def shown_left(self):
        """The time left in the units the board shows: days and hours from a day on, hours
        and minutes from an hour on, else minutes; () once passed."""
        if self.passed:
            return ()
        hours, minutes = divmod(int((self.at - self.now) / timedelta(minutes=1)), 60)
        days, hours = divmod(hours, 24)
        if days:
            return (("day", days), ("hour", hours))
        if hours:
            return (("hour", hours), ("minute", minutes))
        return (("minute", minutes),)

    def left_text(self):
        """What the board says of the time left: "2일 3시간 남음"."""
        if self.passed:
            return gettext("past due")
        parts = [_UNITS[unit](count) % {"count": count} for unit, count in self.shown_left if count]
        if not parts:
            return gettext("less than a minute left")
        return gettext("%(time)s left") % {"time": " ".join(parts)}


_UNITS = {
    "day": lambda n: ngettext("%(count)d day", "%(count)d days", n),
    "hour": lambda n: ngettext("%(count)d hour", "%(count)d hours", n),
    "minute": lambda n: ngettext("%(count)d minute", "%(count)d minutes", n),
}


def next_label(last, number):
    """The label after `last` ("Q2." → "Q3."), or "number." when it holds no number."""
    match = _LABEL_NUMBER.fullmatch(last)
    if match is None:
        return f"{number}."
    head, digits, tail = match.groups()
    return f"{head}{int(digits) + 1}{tail}"


_LABEL_NUMBER = re.compile(r"(\D*)(\d+)(\D*)")


def is_numbered(label):
    """Whether a label counts ("3.", "Q4.") rather than names ("보너스")."""
    return _LABEL_NUMBER.fullmatch(label) is not None


@functools.cache
def _history_sql(alias, newest_entry):
    """history()'s query and its parameters: the changes' total weight and count, whether a
    round hides answers (one probe of qa_round_in_progress), the newest search entry."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    hiding = Round.objects.using(alias).filter(Round.hiding_answers()).order_by().values("pk")
    hiding_sql, params = hiding.query.sql_with_params()
    columns = [f"COALESCE(SUM({quote('weight')}), 0)", "COUNT(*)", f"EXISTS({hiding_sql})"]
    if newest_entry:
        from .search_entries import SearchEntry

        newest = SearchEntry.objects.using(alias).order_by("-pk").values("pk")[:1]
        newest_sql, newest_params = newest.query.sql_with_params()
        columns.append(f"({newest_sql})")
        params += newest_params
    # An aggregate without GROUP BY: one row, even of no changes.
    table = quote(RoundChange._meta.db_table)
    return f"SELECT {', '.join(columns)} FROM {table}", params


def _with_neighbours(rounds):
    """Each round with the numbers of the visible rounds before and after it."""
    visible = Round.objects.visible().order_by().values("number")
    return rounds.annotate(
        previous_number=Subquery(
            visible.filter(number__lt=OuterRef("number")).order_by("-number")[:1]
        ),
        next_number=Subquery(visible.filter(number__gt=OuterRef("number")).order_by("number")[:1]),
    )


def _this_week():
    visible = Round.objects.visible().order_by("-number").values("number")
    # Two newest-of lookups, each one index probe (qa_round_in_progress,
    # qa_round_unique_number), where ordering every round by "in progress" read them all.
    number = Coalesce(Subquery(visible.in_progress()[:1]), Subquery(visible[:1]))
    return _with_neighbours(Round.objects.filter(number=number))


# Round.for_board() and for_question_page(): the lookups before any kept page is served.
_BOARDS_ROUND = OneRowQuery(lambda: _with_neighbours(Round.objects.all()), "number", sentinel=0)
_THIS_WEEKS_ROUND = OneRowQuery(_this_week)
_QUESTIONS_ROUND = OneRowQuery(lambda: Round.objects.all(), "questions__pk", sentinel=0)
