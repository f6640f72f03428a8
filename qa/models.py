from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.db.models import (
    Count, F, Lookup, Max, OuterRef, Prefetch, Q, Subquery, Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import normalize_newlines
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .grams import fold, text_grams
from .markdown import plain_text, render_markdown

PICK_MARKER = "👀"
ANSWER_MAX_LENGTH = 50_000


def member_of(user):
    """The member an account takes part as; None for visitors and accounts not linked to one."""
    # Django caches the reverse one-to-one, even a missing one: one query per request at most.
    return getattr(user, "member", None)


def is_author(user, author_id):
    """Whether the account takes part as the member who wrote something."""
    member = member_of(user)
    return member is not None and member.pk == author_id


def display_name(user):
    member = member_of(user)
    return member.name if member else user.get_username()


def _count_of(queryset, field):
    """A correlated COUNT subquery; joining several child tables would multiply rows."""
    counted = queryset.order_by().values(field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted), Value(0))


class Member(models.Model):
    name = models.CharField(_("name"), max_length=50)
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


class RoundQuerySet(models.QuerySet):
    def visible(self):
        """Rounds the board shows; drafts are for curators only."""
        return self.exclude(state=Round.State.DRAFT)

    def visible_to(self, user):
        """Curators see drafts too; Round.is_visible_to() is the same rule for one round."""
        return self if user.is_staff else self.visible()

    def touch(self):
        """Count a change to these rounds' boards (see Round.revision)."""
        return self.update(revision=F("revision") + 1)

    def with_counts(self):
        return self.annotate(
            question_count=_count_of(Question.objects.filter(round=OuterRef("pk")), "round"),
            pick_count=_count_of(Pick.objects.filter(round=OuterRef("pk")), "round"),
            answer_count=_count_of(Answer.objects.filter(round=OuterRef("pk")), "round"),
        )


class Round(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUESTIONS_OPEN = "open", _("Questions open")
        ANSWERING = "answering", _("Answering")
        CLOSED = "closed", _("Closed")

    number = models.PositiveIntegerField(_("round number"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT
    )
    question_limit = models.PositiveSmallIntegerField(
        _("questions per member"),
        default=4,
        help_text=_("How many questions each member may post on the board in this round."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # Goes up with every saved or deleted question, pick and answer of the round, and with
    # every member's rename (qa/signals.py), in the same transaction: cached pages are
    # keyed by it, so they are never stale and need no invalidation.
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
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
        return self.state != self.State.DRAFT

    def is_visible_to(self, user):
        """Drafts are for curators, who review a round before publishing it (see visible_to)."""
        return user.is_staff or self.is_visible()

    @classmethod
    def for_board(cls, number=None):
        """The round numbered `number`, or the newest one visible to all; None if there is none.

        Raw SQL: for a visitor's cached board this lookup is most of the work left, and the
        ORM took twice as long to build the same query (320 vs 165 µs, docs/PERFORMANCE.md).
        Whether the reader may see it is for is_visible_to().
        """
        table = cls._meta.db_table
        if number is None:
            sql = f"SELECT * FROM {table} WHERE state <> %s ORDER BY number DESC LIMIT 1"
            rows = cls.objects.raw(sql, [cls.State.DRAFT])
        else:
            rows = cls.objects.raw(f"SELECT * FROM {table} WHERE number = %s", [number])
        return next(iter(rows), None)

    @classmethod
    def for_question_page(cls, question_id):
        """The round of a question, looked up as for_board() looks up a board's."""
        rounds, questions = cls._meta.db_table, Question._meta.db_table
        sql = f"SELECT r.* FROM {rounds} r JOIN {questions} q ON q.round_id = r.id WHERE q.id = %s"
        return next(iter(cls.objects.raw(sql, [question_id])), None)

    @property
    def page_version(self):
        """Changes whenever anything its board or question pages show changes.

        The state is read directly: the admin's bulk state action does not move `updated`.
        """
        return f"{self.pk}.{self.revision}.{self.updated.timestamp()}.{self.state}"

    def is_open_for_questions(self):
        return self.state == self.State.QUESTIONS_OPEN

    def is_open_for_answers(self):
        return self.state == self.State.ANSWERING

    def can_add_question(self, user):
        """Members add to their own list while questions are open; curators at any time."""
        if member_of(user) is None:
            return False
        return user.is_staff or self.is_open_for_questions()

    def can_pick(self, user):
        """Members pick while the round takes answers; curators at any time."""
        return user.is_staff or (member_of(user) is not None and self.is_open_for_answers())

    def check_room_for_question(self, author):
        if self.questions.filter(author=author).count() >= self.question_limit:
            raise ValidationError(
                _("You already have %(limit)d questions in this round."),
                code="question_limit",
                params={"limit": self.question_limit},
            )

    def add_question(self, author, text, label=""):
        """Append a question to the author's list, within the round's limit."""
        with transaction.atomic():
            # Locking the author makes their simultaneous adds take turns, so the
            # count and the next position are never read by two requests at once.
            Member.objects.select_for_update().filter(pk=author.pk).first()
            self.check_room_for_question(author)
            last = self.questions.filter(author=author).aggregate(last=Max("position"))["last"] or 0
            question = Question(
                round=self, author=author, position=last + 1, label=label, text=text
            )
            question.full_clean()
            question.save()
        return question

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {
                    "ends_on": ValidationError(
                        _("A round cannot end before it starts."), code="ends_before_start"
                    )
                }
            )

    def board(self):
        """Everything the weekly board shows, in the sample file's order, in four queries."""
        questions = list(Question.objects.filter(round=self).for_board())
        lists = {}
        for question in questions:  # ordered by first appearance of each author
            lists.setdefault(question.author, []).append(question)
        member_lists = [
            (author, sorted(items, key=lambda q: (q.position, q.pk)))
            for author, items in lists.items()
        ]
        picked = [q for _author, items in member_lists for q in items if q.picks_on_board]
        return member_lists, picked


@dataclass(frozen=True)
class MatrixCell:
    question: "Question"
    answer: "Answer | None"
    own: bool  # the member's own question: nothing is owed


@dataclass(frozen=True)
class MatrixRow:
    member: Member
    cells: list

    @property
    def answered(self):
        return sum(1 for cell in self.cells if cell.answer)

    @property
    def owed(self):
        return sum(1 for cell in self.cells if not cell.answer and not cell.own)


def answer_matrix(member_lists, picked):
    """Members × picked questions, who has answered what, from Round.board()'s data alone.

    Rows are the members with a list on the board, then anyone else who answered.
    """
    members = {author.pk: author for author, _questions in member_lists}
    for question in picked:
        for answer in question.answers_on_board:
            members.setdefault(answer.author_id, answer.author)
    answers = {(a.question_id, a.author_id): a for q in picked for a in q.answers_on_board}
    return [
        MatrixRow(
            member=member,
            cells=[
                MatrixCell(q, answers.get((q.pk, member.pk)), own=q.author_id == member.pk)
                for q in picked
            ],
        )
        for member in members.values()
    ]


class QuestionQuerySet(models.QuerySet):
    def visible_in(self, rounds):
        return self.filter(round__in=rounds)

    def for_listing(self):
        """Questions away from their board (member pages, search), newest round first."""
        return self.select_related("round", "author").order_by("-round__number", "position", "pk")

    def with_pick_count(self):
        return self.annotate(
            pick_count=_count_of(Pick.objects.filter(question=OuterRef("pk")), "question")
        )

    def with_answer_count(self):
        return self.annotate(
            answer_count=_count_of(Answer.objects.filter(question=OuterRef("pk")), "question")
        )

    def for_board(self):
        """Questions with author, picks and answers loaded; the board's query count stays flat."""
        return (
            self.select_related("author", "round").prefetch_related(*_board_parts()).order_by("pk")
        )


def _board_parts():
    """A question's picks and answers as its board and its page show them."""
    return [
        Prefetch(
            "picks",
            queryset=Pick.objects.select_related("picker").order_by("created", "pk"),
            to_attr="picks_on_board",
        ),
        Prefetch(
            "answers",
            queryset=Answer.objects.select_related("author").order_by("created", "pk"),
            to_attr="answers_on_board",
        ),
    ]


class Question(models.Model):
    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="questions"
    )
    author = models.ForeignKey(
        Member, verbose_name=_("author"), on_delete=models.PROTECT, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(
        _("position"), help_text=_("Order in the author's list, from 1.")
    )
    label = models.CharField(
        _("label"), max_length=20, blank=True, help_text=_('As written, such as "1." or "Q4.".')
    )
    text = models.TextField(_("question (Markdown)"))
    text_html = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["round", "author", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "author", "position"], name="qa_question_unique_author_position"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="qa_question_position_positive"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="qa_question_text_not_blank"),
        ]

    def __str__(self):
        return f"{self.author} {self.label or self.position} {self.text[:40]}"

    def get_absolute_url(self):
        return reverse("qa:question-detail", kwargs={"pk": self.pk})

    def render(self):
        """Fill the stored HTML and search text from the Markdown (save() and bulk inserts)."""
        self.text = normalize_newlines(self.text)
        self.text_html = render_markdown(self.text)
        self.search_text = plain_text(self.text_html)

    def save(self, *args, **kwargs):
        self.render()
        if kwargs.get("update_fields") is not None and "text" in kwargs["update_fields"]:
            kwargs["update_fields"] = {
                *kwargs["update_fields"], "text_html", "search_text", "updated"
            }  # fmt: skip
        adding = self._state.adding
        with transaction.atomic():
            super().save(*args, **kwargs)
            SearchEntry.objects.index([self])
            if not adding:
                # Moved to another round (the admin allows it): its picks and answers follow.
                self.picks.exclude(round_id=self.round_id).update(round_id=self.round_id)
                self.answers.exclude(round_id=self.round_id).update(round_id=self.round_id)
                SearchEntry.objects.filter(answer__question=self).exclude(
                    round_id=self.round_id
                ).update(round_id=self.round_id)

    def load_board_parts(self):
        """Load picks_on_board and answers_on_board, as for_board() does for many."""
        prefetch_related_objects([self], *_board_parts())
        return self

    def can_edit(self, user):
        """Authors edit, reorder and delete their own list while questions are open."""
        return user.is_staff or (
            is_author(user, self.author_id) and self.round.is_open_for_questions()
        )

    def can_delete(self, user):
        """Like editing, except that a member never deletes other members' answers with it."""
        return self.can_edit(user) and (user.is_staff or not self.answers.exists())

    def can_pick(self, user):
        """A member's own 👀 on someone else's question."""
        member = member_of(user)
        return member is not None and member.pk != self.author_id and self.round.can_pick(user)

    def can_pick_for_group(self, user):
        return user.is_staff

    def can_answer(self, user):
        """Write a new answer: as a member, to a picked question, while the round takes answers."""
        return (
            member_of(user) is not None
            and (user.is_staff or self.round.is_open_for_answers())
            and self.is_picked()
        )

    def is_picked(self):
        if hasattr(self, "picks_on_board"):
            return bool(self.picks_on_board)
        return self.picks.exists()

    def pick_of(self, member):
        """The member's pick (the curators' with None) among the board's prefetched picks."""
        picker_id = member.pk if member else None
        return next((p for p in self.picks_on_board if p.picker_id == picker_id), None)

    def answer_of(self, member):
        """The member's answer among the board's prefetched answers."""
        if member is None:
            return None
        return next((a for a in self.answers_on_board if a.author_id == member.pk), None)

    def pick(self, picker=None):
        """Mark this question 👀; `picker=None` is a pick by the curators."""
        pick = Pick(question=self, picker=picker)
        pick.full_clean()
        try:
            with transaction.atomic():
                pick.save()
        except IntegrityError:
            # A simultaneous request saved its pick between our check and our insert. Its
            # row is visible now, so validation names the broken rule, as it would have
            # if the two requests had come one after the other.
            pick.full_clean()
            raise
        return pick

    def _picks_by(self, picker):
        if picker is None:
            return self.picks.filter(picker__isnull=True)
        return self.picks.filter(picker=picker)

    def set_pick(self, picker, picked):
        """Give or take back a 👀 (`picker=None`: the curators'); repeating either is harmless."""
        if not picked:
            mine = self._picks_by(picker)
            others = self.picks.exclude(pk__in=mine.values("pk"))
            if mine.exists() and not others.exists() and self.answers.exists():
                raise ValidationError(
                    _("This question has answers, so it keeps its last %(marker)s."),
                    code="answered",
                    params={"marker": PICK_MARKER},
                )
            mine.delete()
            return None
        existing = self._picks_by(picker).first()
        if existing:
            return existing
        try:
            return self.pick(picker)
        except ValidationError:
            existing = self._picks_by(picker).first()
            if existing:  # a twin request (a double click) picked it first
                return existing
            raise

    def move(self, step):
        """Swap places with the previous (step=-1) or next (step=1) question in the list."""
        with transaction.atomic():
            mine = list(
                Question.objects.select_for_update()
                .filter(round_id=self.round_id, author_id=self.author_id)
                .order_by("position", "pk")
            )
            index = next(i for i, q in enumerate(mine) if q.pk == self.pk)
            if not 0 <= index + step < len(mine):
                return
            this, other = mine[index], mine[index + step]
            # Unique positions are checked row by row, so the swap goes through a free one.
            spare = max(q.position for q in mine) + 1
            Question.objects.filter(pk=this.pk).update(position=spare)
            Question.objects.filter(pk=other.pk).update(position=this.position)
            Question.objects.filter(pk=this.pk).update(position=other.position)
            # update() sends no signal, so the board's revision is counted here.
            Round.objects.filter(pk=self.round_id).touch()
            self.position = other.position

    def save_answer(self, author, body, editor=None):
        """One answer per member per question: a second attempt edits the first."""
        for attempt in range(2):
            answer = Answer.objects.filter(question=self, author=author).first() or Answer(
                question=self, author=author
            )
            answer.body = body
            answer.edited_by = editor
            try:
                answer.full_clean()
                answer.save_edit()
            except (AnswerConflict, ValidationError) as error:
                # A simultaneous request saved this member's answer after our look-up.
                # Looked up again, it is edited, as if that request had come first (its
                # text stays in the history); a real validation error comes back again.
                if attempt or (isinstance(error, ValidationError) and not answer._state.adding):
                    raise
            else:
                return answer


class PickQuerySet(models.QuerySet):
    def visible_in(self, rounds):
        return self.filter(round__in=rounds)

    def for_listing(self):
        return self.select_related("picker", "question__round", "question__author").order_by(
            "-round__number", "-created", "-pk"
        )


class Pick(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="picks"
    )
    picker = models.ForeignKey(
        Member,
        verbose_name=_("picked by"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="picks",
        help_text=_("Empty when the curators picked it for the group."),
    )
    # Copied from the question on save so the database itself can enforce
    # "one pick per member's list per round" and "not your own question".
    round = models.ForeignKey(Round, on_delete=models.CASCADE, editable=False, related_name="picks")
    question_author = models.ForeignKey(
        Member, on_delete=models.CASCADE, editable=False, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PickQuerySet.as_manager()

    class Meta:
        ordering = ["created"]
        verbose_name = _("pick")
        verbose_name_plural = _("picks")
        constraints = [
            # The messages are the model's validation too: Question.pick() and the
            # admin both run full_clean(), so the rules live in one place.
            models.UniqueConstraint(
                fields=["picker", "question"],
                condition=Q(picker__isnull=False),
                name="qa_pick_unique_picker_question",
                violation_error_code="duplicate_pick",
                violation_error_message=_("This member already picked this question."),
            ),
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(picker__isnull=True),
                name="qa_pick_unique_curator_question",
                violation_error_code="duplicate_pick",
                violation_error_message=_("The curators already picked this question."),
            ),
            models.UniqueConstraint(
                fields=["picker", "round", "question_author"],
                condition=Q(picker__isnull=False),
                name="qa_pick_one_per_list_per_round",
                violation_error_code="one_per_list",
                violation_error_message=_(
                    "A member picks at most one question from each member's list in a round."
                ),
            ),
            models.CheckConstraint(
                condition=Q(picker__isnull=True) | ~Q(picker=F("question_author")),
                name="qa_pick_not_own_question",
                violation_error_code="own_question",
                violation_error_message=_("Members cannot pick their own questions."),
            ),
        ]

    def __str__(self):
        return f"{PICK_MARKER} {self.question} ({self.picker_name})"

    @property
    def picker_name(self):
        return self.picker.name if self.picker_id else gettext("curators")

    def _copy_from_question(self):
        self.round_id = self.question.round_id
        self.question_author_id = self.question.author_id

    def validate_constraints(self, exclude=None):
        # round and question_author are derived from the question and never typed into a
        # form, so the constraints that use them are checked whenever the question is known.
        if self.question_id:
            self._copy_from_question()
            exclude = set(exclude or ()) - {"round", "question_author"}
        super().validate_constraints(exclude=exclude)

    def save(self, *args, **kwargs):
        self._copy_from_question()
        super().save(*args, **kwargs)


class AnswerConflict(Exception):
    """Someone saved the answer after this edit was loaded; saving would overwrite their text."""

    def __init__(self, current):
        super().__init__(f"answer {current.pk} is at version {current.version}")
        self.current = current


class AnswerQuerySet(models.QuerySet):
    def visible_in(self, rounds):
        return self.filter(round__in=rounds)

    def for_listing(self):
        """Answers away from their question's page, newest round first."""
        return self.select_related("author", "question__round", "question__author").order_by(
            "-round__number", "-created", "-pk"
        )


class Answer(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    author = models.ForeignKey(
        Member, verbose_name=_("author"), on_delete=models.PROTECT, related_name="answers"
    )
    # Copied from the question on save, as Pick.round is: member pages and searches hide
    # draft rounds without joining every answer to its question.
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, editable=False, related_name="answers"
    )
    body = models.TextField(
        _("answer (Markdown)"),
        validators=[
            MaxLengthValidator(
                ANSWER_MAX_LENGTH,
                message=_(
                    "An answer can be at most %(limit_value)d characters long "
                    "(it has %(show_value)d)."
                ),
            )
        ],
    )
    body_html = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    # Each saved change of the text adds one; an edit carries the version it started from,
    # so a save based on an older text is refused instead of overwriting a newer one.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Empty for imported text, which is the author's own."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "author"], name="qa_answer_unique_author_question"
            ),
            models.CheckConstraint(condition=~Q(body=""), name="qa_answer_body_not_blank"),
            models.CheckConstraint(condition=Q(version__gte=1), name="qa_answer_version_positive"),
        ]

    def __str__(self):
        return gettext("%(author)s's answer to %(question)s") % {
            "author": self.author,
            "question": self.question,
        }

    def get_absolute_url(self):
        return f"{self.question.get_absolute_url()}#answer-{self.pk}"

    def get_history_url(self):
        return reverse("qa:answer-history", kwargs={"pk": self.pk})

    @property
    def editor_name(self):
        return display_name(self.edited_by) if self.edited_by_id else self.author.name

    @staticmethod
    def can_use_editor(user):
        """Preview and image upload: for members and curators, never for visitors."""
        return user.is_staff or member_of(user) is not None

    def can_edit(self, user):
        """Authors edit and restore their answer while the round takes answers."""
        return user.is_staff or (
            is_author(user, self.author_id) and self.question.round.is_open_for_answers()
        )

    def clean(self):
        if self.question_id and not self.question.picks.exists():
            raise ValidationError(
                _("Only picked (%(marker)s) questions take answers.") % {"marker": PICK_MARKER},
                code="not_picked",
            )

    def render(self):
        """Fill the stored HTML and search text from the Markdown (save() and bulk inserts)."""
        # Browsers send a text box's line breaks as CRLF; stored and exported text is LF.
        self.body = normalize_newlines(self.body)
        self.body_html = render_markdown(self.body)
        self.search_text = plain_text(self.body_html)

    def save(self, *args, **kwargs):
        """Save, keeping the replaced text as a revision; AnswerConflict if `version` is stale."""
        self.render()
        self.round_id = self.question.round_id
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {
                *update_fields, "body_html", "search_text", "version", "edited_by", "updated"
            }  # fmt: skip
        if self._state.adding:
            self.version = 1
        with transaction.atomic():
            if not self._state.adding and (update_fields is None or "body" in update_fields):
                self._keep_replaced_text()
            super().save(*args, **kwargs)
            SearchEntry.objects.index([self])

    def _keep_replaced_text(self):
        """Keep the stored text as a revision and take the next version; within save()."""
        # The row lock makes a simultaneous save of this answer wait, then see our version.
        replaced = Answer.objects.select_for_update().filter(pk=self.pk).first()
        if replaced is None:
            return
        if replaced.body != self.body:
            if replaced.version != self.version:
                raise AnswerConflict(replaced)
            Revision.objects.create(
                answer=self,
                version=replaced.version,
                body=replaced.body,
                edited_by_id=replaced.edited_by_id,
                saved=replaced.updated,
            )
            self.version = replaced.version + 1
        else:
            # Nothing of the text changes, so neither do its version and writer.
            self.version = replaced.version
            self.edited_by_id = replaced.edited_by_id

    def versions(self):
        """Every text this answer has had, newest first, the current one as an unsaved Revision."""
        current = Revision(
            answer=self,
            version=self.version,
            body=self.body,
            edited_by=self.edited_by,
            saved=self.updated,
        )
        return [current, *self.revisions.select_related("edited_by__member")]

    def save_edit(self):
        """Save a writer's text: a first answer that a simultaneous request by the same
        member has just created is a conflict with it, like any other stale edit."""
        if not self._state.adding:
            self.save()
            return
        try:
            with transaction.atomic():
                self.save()
        except IntegrityError:
            current = Answer.objects.filter(
                question_id=self.question_id, author_id=self.author_id
            ).first()
            if current is None:
                raise
            raise AnswerConflict(current) from None

    def restore(self, revision, editor):
        """Bring back an earlier text; the text it replaces becomes a revision in turn."""
        self.body = revision.body
        self.edited_by = editor
        self.full_clean()
        self.save()


class Revision(models.Model):
    """A text an answer had before an edit replaced it."""

    answer = models.ForeignKey(
        Answer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("answer (Markdown)"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for imported text, which is the author's own."),
    )
    saved = models.DateTimeField(_("saved"))

    class Meta:
        ordering = ["answer", "-version"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "version"], name="qa_revision_unique_answer_version"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="qa_revision_version_positive"
            ),
        ]

    def __str__(self):
        return gettext("%(answer)s, version %(version)d") % {
            "answer": self.answer,
            "version": self.version,
        }

    def get_absolute_url(self):
        return f"{self.answer.get_history_url()}#version-{self.version}"

    @property
    def editor_name(self):
        return display_name(self.edited_by) if self.edited_by_id else self.answer.author.name


class GramsField(models.TextField):
    """The space-separated grams of a text (qa.grams), read by the `contains_all` lookup."""


@GramsField.register_lookup
class ContainsAllGrams(Lookup):
    """Rows whose grams include every gram in a list.

    PostgreSQL answers it from the GIN index of migration 0008 over qa_grams(grams); other
    databases compare the text, which is slow but gives the same rows.
    """

    lookup_name = "contains_all"
    prepare_rhs = False  # a list of grams, not one text

    def as_sql(self, compiler, connection):
        column, params = self.process_lhs(compiler, connection)
        condition = " AND ".join([f"INSTR(' ' || {column} || ' ', %s) > 0"] * len(self.rhs))
        return condition, [*params, *(f" {gram} " for gram in self.rhs)]

    def as_postgresql(self, compiler, connection):
        column, params = self.process_lhs(compiler, connection)
        return f"qa_grams({column}) @> %s::text[]", [*params, sorted(self.rhs)]


class SearchEntryQuerySet(models.QuerySet):
    def index(self, rows):
        """Add or refresh the entries of saved questions, or of saved answers (one kind a call)."""
        if not rows:
            return
        kind = "answer" if isinstance(rows[0], Answer) else "question"
        entries = []
        for row in rows:
            text = fold(row.search_text)
            entries.append(
                SearchEntry(
                    round_id=row.round_id,
                    author_id=row.author_id,
                    text=text,
                    grams=text_grams(text),
                    **{kind: row},
                )
            )
        self.bulk_create(
            entries,
            batch_size=500,
            update_conflicts=True,
            unique_fields=[kind],
            update_fields=["round", "author", "text", "grams"],
        )


class SearchEntry(models.Model):
    """A question or an answer as search reads it (qa.search): a narrow copy of its text.

    Kept apart from the wide rows of questions and answers so that finding the newest of tens
    of thousands of matching texts reads few pages. Entries are numbered in the order their
    texts were first saved, so the highest ids are the newest texts. Written by
    Question.save() and Answer.save(); code that bulk-inserts those must call
    `SearchEntry.objects.index()`.
    """

    question = models.OneToOneField(
        Question, on_delete=models.CASCADE, null=True, related_name="search_entry"
    )
    answer = models.OneToOneField(
        Answer, on_delete=models.CASCADE, null=True, related_name="search_entry"
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()  # fold()ed search_text
    grams = GramsField()

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="qa_searchentry_question_or_answer",
            ),
        ]

    def __str__(self):
        return str(self.question or self.answer)
