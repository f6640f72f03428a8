"""Questions on a round's board, and the 👀 picks that choose which ones get answers."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F, OuterRef, Prefetch, Q, prefetch_related_objects
from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..text import validate_one_line
from .members import Member, is_author, member_of
from .rounds import Round, _count_of, is_numbered
from .writing import Derived, DerivedQuerySet, WrittenText, touch_rounds

PICK_MARKER = "👀"
# An answer's bulk, left out where only its link and author show.
ANSWER_TEXTS = ("body", "body_html", "search_text")
# Characters of a question shown as its title: a page heading, a tab, a link preview.
TITLE_LENGTH = 80


class QuestionQuerySet(DerivedQuerySet):
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
        from .answers import Answer

        return self.annotate(
            answer_count=_count_of(Answer.objects.filter(question=OuterRef("pk")), "question")
        )

    def for_page(self):
        """A question for its own page, with the follow-up it was promoted from, if any."""
        return self.select_related(
            "author",
            "promoted_from__round",
            "promoted_from__author",
            "promoted_from__answer__author",
        ).defer(*(f"promoted_from__answer__{text}" for text in ANSWER_TEXTS))

    def for_board(self):
        """Questions with author, picks and answers loaded; the board's query count stays flat."""
        return (
            self.select_related("author", "round").prefetch_related(*_board_parts()).order_by("pk")
        )


def _board_parts():
    """A question's picks and answers as its board and its page show them."""
    return [_picks_on_board(), _answers_on_board()]


def _picks_on_board():
    return Prefetch(
        "picks",
        queryset=Pick.objects.select_related("picker").order_by("created", "pk"),
        to_attr="picks_on_board",
    )


def _answers_on_board():
    from .answers import Answer
    from .follow_ups import FollowUp

    # Each answer's follow-ups are counted in the answers' own query: no query per answer.
    follow_ups = _count_of(FollowUp.objects.filter(answer=OuterRef("pk")), "answer")
    return Prefetch(
        "answers",
        queryset=Answer.objects.select_related("author")
        .with_reaction_counts()
        .annotate(follow_up_count=follow_ups)
        .order_by("created", "pk"),
        to_attr="answers_on_board",
    )


# A question is a sentence or two, perhaps with a snippet; its answers are where length goes.
QUESTION_MAX_LENGTH = 5_000


class Question(WrittenText, models.Model):
    markdown_field, html_field = "text", "text_html"

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="questions"
    )
    author = models.ForeignKey(
        Member,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        help_text=_("Empty for the group's questions, such as an imported common list."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), help_text=_("Order in the author's list, from 1.")
    )
    label = models.CharField(
        _("label"),
        max_length=20,
        blank=True,
        validators=[validate_one_line],
        help_text=_('As written, such as "1." or "Q4.".'),
    )
    text = models.TextField(
        _("question (Markdown)"),
        validators=[
            MaxLengthValidator(
                QUESTION_MAX_LENGTH,
                message=_(
                    "A question can be at most %(limit_value)d characters long "
                    "(it has %(show_value)d)."
                ),
            )
        ],
    )
    text_html = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["round", "author", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [
            # A member's page, paged by round (qa.member_history); picks have the unique index on
            # (picker, round, question_author).
            models.Index(fields=["author", "round"], name="qa_question_author_round"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "author", "position"], name="qa_question_unique_author_position"
            ),
            # NULLs are distinct in the constraint above: the group's list needs its own.
            models.UniqueConstraint(
                fields=["round", "position"],
                condition=Q(author__isnull=True),
                name="qa_question_unique_group_position",
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="qa_question_position_positive"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="qa_question_text_not_blank"),
        ]

    @classmethod
    def news_readers(cls, rows):
        # Member.new_for_you() names the question of each answer and follow-up it lists.
        from .answers import Answer

        answers = Answer.objects.filter(question__in={row.pk for row in rows})
        return Q(pk__in={row.author_id for row in rows}) | Q(pk__in=answers.values("author_id"))

    def __str__(self):
        return f"{self.asker_name} {self.label or self.position} {self.text[:40]}"

    @property
    def asker_name(self):
        """The author's name; the group's questions have none of their own."""
        return self.author.name if self.author_id else gettext("the group")

    @property
    def whose_text(self):
        """"sky's question", or "The group's question" for a question of a common list."""
        if self.author_id:
            return gettext("%(name)s's question") % {"name": self.author.name}
        return gettext("The group's question")

    @property
    def whose(self):
        """whose_text as HTML, escaped as {% blocktranslate %} escapes it: the name only."""
        if self.author_id:
            return mark_safe(
                gettext("%(name)s's question") % {"name": conditional_escape(self.author.name)}
            )
        return mark_safe(gettext("The group's question"))

    def get_absolute_url(self):
        return reverse("qa:question-detail", kwargs={"pk": self.pk})

    @property
    def origin(self):
        """The follow-up this question was promoted from, or None."""
        # The reverse one-to-one raises an AttributeError (RelatedObjectDoesNotExist) for none.
        return getattr(self, "promoted_from", None)

    def moved(self):
        # The admin can move a question to another round: its picks, answers and their
        # follow-ups follow.
        from .follow_ups import FollowUp

        Pick.objects.refresh(list(self.picks.select_related("question")))
        self.answers.refresh(list(self.answers.select_related("question")))
        FollowUp.objects.refresh(
            list(FollowUp.objects.filter(answer__question=self).select_related("answer"))
        )
        # A thread it was promoted from names its week.
        origins = FollowUp.objects.filter(promoted_to=self).values("round_id")
        Round.objects.filter(pk__in=origins).touch()

    def load_board_parts(self, reveal=None):
        """Load what for_board() and Round.board() give a board's questions, for this one."""
        prefetch_related_objects([self], _answers_on_board())
        if reveal is not None:
            self.show_answers(reveal)
        # The picks on the author's whole list, this question's among them, in one query:
        # whether the reader may still pick here depends on the others.
        self.list_picks = list(
            _picks_on_board().queryset.filter(
                round_id=self.round_id, question_author_id=self.author_id
            )
        )
        self.picks_on_board = [p for p in self.list_picks if p.question_id == self.pk]
        return self

    def load_follow_ups(self):
        """Each answer's thread of follow-ups, after load_board_parts(), in one query."""
        from .follow_ups import FollowUp

        threads = Prefetch(
            "follow_ups", queryset=FollowUp.objects.for_thread(), to_attr="follow_ups_on_page"
        )
        prefetch_related_objects(self.answers_on_board, threads)
        for answer in self.answers_on_board:
            for follow_up in answer.follow_ups_on_page:
                follow_up.round = self.round  # the answer's: for the promotion button
        return self

    def show_answers(self, reveal):
        """Split the loaded answers into those the reader may read (Round.reveal_for()) and
        the number of the others, which blind answering hides."""
        self.shown_answers = [a for a in self.answers_on_board if reveal.shows(a)]
        self.hidden_answer_count = len(self.answers_on_board) - len(self.shown_answers)
        return self

    @property
    def display_label(self):
        """The label as written; without one, the question's number in its author's list."""
        return self.label or f"{getattr(self, 'number', self.position)}."

    @property
    def title(self):
        """The question as plain text, short enough for a heading or a link preview."""
        # A question of an image alone has no text to show.
        return Truncator(self.search_text).chars(TITLE_LENGTH) or self.whose_text

    @property
    def title_is_whole(self):
        """Whether the title shows all of the question: one short paragraph of plain text."""
        return (
            len(self.search_text) <= TITLE_LENGTH
            and self.text_html.strip() == f"<p>{escape(self.search_text)}</p>"
        )

    def can_edit(self, user):
        """Authors edit, reorder and delete their own list while questions are open."""
        return self.round.can_edit_questions(user) and (
            user.is_staff or is_author(user, self.author_id)
        )

    def can_delete(self, user):
        """Like editing, except that a member never deletes other members' answers with it."""
        return self.can_edit(user) and (user.is_staff or not self.answers.exists())

    # Each check_* raises PermissionDenied when the user has no say in the matter (role, round
    # state) and ValidationError when a rule of the board stands in the way; the pick view
    # reports the two differently. can_* answer the same question for the buttons.
    def check_pick(self, user):
        """Give one's own 👀 here (again, harmlessly): someone else's question, while the round
        takes picks, and no pick of one's own on another question of the same list. A round
        without picks takes none (those it has may still be taken back)."""
        member = member_of(user)
        if member is None or member.pk == self.author_id or not self.round.can_pick(user):
            raise PermissionDenied
        if not self.round.uses_picks:
            raise PermissionDenied
        if any(p.question_id != self.pk for p in self._list_picks_by(member)):
            raise ValidationError(
                _("A member picks at most one question from each member's list in a round."),
                code="one_per_list",
            )

    def check_unpick(self, user):
        """Take one's own 👀 back, unless it is the last on an answered question."""
        member = member_of(user)
        if member is None or member.pk == self.author_id or not self.round.can_pick(user):
            raise PermissionDenied
        self._check_pick_may_go(member.pk)

    def check_pick_for_group(self, user):
        if not user.is_staff or not self.round.uses_picks:
            raise PermissionDenied

    def check_unpick_for_group(self, user):
        if not user.is_staff:
            raise PermissionDenied
        self._check_pick_may_go(None)

    def can_pick(self, user):
        return _passes(self.check_pick, user)

    def can_unpick(self, user):
        return _passes(self.check_unpick, user)

    def can_pick_for_group(self, user):
        return _passes(self.check_pick_for_group, user)

    def can_unpick_for_group(self, user):
        return _passes(self.check_unpick_for_group, user)

    def _check_pick_may_go(self, picker_id):
        """The pick by `picker_id` (None: the curators') may go unless answers need it.

        Without such a pick there is nothing to take back: repeating a take-back is harmless.
        """
        picks = self._picks()
        mine = any(p.picker_id == picker_id for p in picks)
        others = any(p.picker_id != picker_id for p in picks)
        if mine and not others and self._has_answers():
            raise _keeps_last_pick()

    def _picks(self):
        if hasattr(self, "picks_on_board"):
            return self.picks_on_board
        return list(self.picks.all())

    def _has_answers(self):
        if hasattr(self, "answers_on_board"):
            return bool(self.answers_on_board)
        return self.answers.exists()

    def _list_picks_by(self, member):
        """The member's picks on this question's list (the author's questions in its round)."""
        if hasattr(self, "list_picks"):
            return [p for p in self.list_picks if p.picker_id == member.pk]
        return list(
            Pick.objects.filter(
                round_id=self.round_id, question_author_id=self.author_id, picker=member
            )
        )

    def can_answer(self, user):
        """Write one's first answer: as a member, to a picked question (any question in a round
        without picks), while the round takes answers. (A member who has answered edits that
        answer instead.)"""
        member = member_of(user)
        return (
            member is not None
            and (user.is_staff or self.round.is_open_for_answers())
            and self.takes_answers()
            and not self._has_answer_by(member)
        )

    def takes_answers(self):
        """Whether answers may be written to it: picked, unless its round goes without picks."""
        return not self.round.uses_picks or self.is_picked()

    @property
    def takes_answers_on_board(self):
        """Whether the board shows this question's answers, from the prefetched parts: a round
        without picks shows every answered question."""
        if self.round.uses_picks:
            return bool(self.picks_on_board)
        return bool(self.answers_on_board)

    def _has_answer_by(self, member):
        if hasattr(self, "answers_on_board"):
            return self.answer_of(member) is not None
        return self.answers.filter(author=member).exists()

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
                raise _keeps_last_pick()
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
            # Numbered labels ("1.", "Q2.") number the places, so they stay with the places;
            # a label that is a name ("보너스") goes with its question.
            if is_numbered(this.label) and is_numbered(other.label):
                Question.objects.filter(pk=this.pk).update(label=other.label)
                Question.objects.filter(pk=other.pk).update(label=this.label)
                self.label = other.label
            # Positions are no derived value, so the swap writes them directly.
            touch_rounds([self])
            self.position = other.position

    def save_answer(self, author, body, editor=None):
        """One answer per member per question: a second attempt edits the first."""
        from .answers import Answer, AnswerConflict

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


def _passes(check, user):
    try:
        check(user)
    except (PermissionDenied, ValidationError):
        return False
    return True


def _keeps_last_pick():
    return ValidationError(
        _("This question has answers, so it keeps its last %(marker)s."),
        code="answered",
        params={"marker": PICK_MARKER},
    )


class PickQuerySet(DerivedQuerySet):
    def visible_in(self, rounds):
        return self.filter(round__in=rounds)

    def for_listing(self):
        return self.select_related("picker", "question__round", "question__author").order_by(
            "-round__number", "-created", "-pk"
        )


class Pick(Derived, models.Model):
    derived_fields = ("round_id", "question_author_id")

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
        Member, on_delete=models.CASCADE, null=True, editable=False, related_name="+"
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

    def derive(self):
        self.round_id = self.question.round_id
        self.question_author_id = self.question.author_id

    def validate_constraints(self, exclude=None):
        # round and question_author are derived from the question and never typed into a
        # form, so the constraints that use them are checked whenever the question is known.
        if self.question_id:
            self.derive()
            exclude = set(exclude or ()) - {"round", "question_author"}
        super().validate_constraints(exclude=exclude)


