"""Answers to picked questions, and the earlier texts an edit replaced (revisions)."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .members import Member, display_name, is_author, member_of
from .questions import PICK_MARKER, Question
from .rounds import Round, _count_of
from .writing import DerivedQuerySet, WrittenText, touch_rounds

ANSWER_MAX_LENGTH = 50_000


class AnswerConflict(Exception):
    """Someone saved the answer after this edit was loaded; saving would overwrite their text."""

    def __init__(self, current):
        super().__init__(f"answer {current.pk} is at version {current.version}")
        self.current = current


def hidden_answers(member, curator=False):
    """Blind answering, as a condition on answers: those hidden from a reader; None when
    nothing is (curators). The one statement of the rule; every page and output showing
    answers goes through it (AnswerQuerySet.revealed_to(), hidden_from(), with_revealed() and
    reveal(), which the board and the question page use).

    While a round with blind answering takes answers, an answer is hidden unless the reader
    wrote the question or an answer to it (their own one among them). Visitors see none; once
    the round closes, everything shows.
    """
    if curator:
        return None
    hidden = Round.hiding_answers(via="round__")
    if member is None:
        return hidden
    answered = Answer.objects.filter(question=OuterRef("question"), author=member)
    return hidden & ~Q(question__author=member) & ~Exists(answered)


@dataclass(frozen=True)
class Reveal:
    """Which questions' answers one reader may read in a round that hides answers, for pages
    that load every answer (the matrix shows who has answered) and show only these: all of
    them when `questions` is None. `key` names it in the version of a cached page."""

    questions: frozenset | None = None

    def shows(self, answer):
        return self.questions is None or answer.question_id in self.questions

    @property
    def key(self):
        if self.questions is None:
            return "all"
        if not self.questions:
            return "none"
        ids = ",".join(map(str, sorted(self.questions)))
        return hashlib.sha256(ids.encode()).hexdigest()[:16]


class AnswerQuerySet(DerivedQuerySet):
    def visible_in(self, rounds):
        return self.filter(round__in=rounds)

    def for_listing(self):
        """Answers away from their question's page, newest round first."""
        return self.select_related("author", "question__round", "question__author").order_by(
            "-round__number", "-created", "-pk"
        )

    def in_order(self):
        """As a question's page lists them: with their authors, oldest first."""
        return self.select_related("author").order_by("created", "pk")

    def with_reaction_counts(self):
        """Each answer's count of each reaction, as `thanks_count` and so on: subqueries of
        the answers' own query, so a board's counts cost no query of their own."""
        from .reactions import Reaction

        return self.annotate(
            **{
                Reaction.count_field(kind): _count_of(
                    Reaction.objects.filter(answer=OuterRef("pk"), kind=kind), "answer"
                )
                for kind in Reaction.Kind.values
            }
        )

    def in_hiding_rounds(self):
        """Answers of rounds that hide answers now (Round.hides_answers())."""
        return self.filter(Round.hiding_answers(via="round__"))

    def revealed_to(self, member, curator=False):
        """The answers `member` (None: a visitor) may read; all of them for curators."""
        hidden = hidden_answers(member, curator)
        return self if hidden is None else self.exclude(hidden)

    def hidden_from(self, member, curator=False):
        """The answers revealed_to() leaves out."""
        hidden = hidden_answers(member, curator)
        return self.none() if hidden is None else self.filter(hidden)

    def with_revealed(self, member, curator=False):
        """Each answer with `revealed`: whether revealed_to() keeps it (lists that still say
        an answer exists, without its text)."""
        hidden = hidden_answers(member, curator)
        revealed = Q(pk__isnull=False) if hidden is None else ~hidden
        return self.annotate(revealed=ExpressionWrapper(revealed, output_field=BooleanField()))

    def reveal(self, member, curator=False):
        """A Reveal of these answers for a reader: the questions of those revealed_to() keeps.

        One small query, none for curators and visitors. Only for answers of rounds that hide
        answers (Round.reveal_for()): elsewhere everything shows.
        """
        if curator:
            return Reveal()
        if member is None:
            return Reveal(frozenset())
        questions = self.revealed_to(member).order_by().values_list("question_id", flat=True)
        return Reveal(frozenset(questions.distinct()))


class Answer(WrittenText, models.Model):
    markdown_field, html_field = "body", "body_html"
    copied_fields = ("round_id",)
    saved_with = ("updated", "version", "edited_by")

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    author = models.ForeignKey(
        Member, verbose_name=_("author"), on_delete=models.PROTECT, related_name="answers"
    )
    # The question's (derive()), as Pick.round is: member pages and searches hide
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
        indexes = [
            # A member's page, paged by round (qa.member_history).
            models.Index(fields=["author", "round"], name="qa_answer_author_round"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "author"], name="qa_answer_unique_author_question"
            ),
            models.CheckConstraint(condition=~Q(body=""), name="qa_answer_body_not_blank"),
            models.CheckConstraint(condition=Q(version__gte=1), name="qa_answer_version_positive"),
        ]

    @classmethod
    def news_readers(cls, rows):
        # Member.new_for_you(): answers to one's questions. Subqueries, not joins, so each
        # is an index lookup however many answers there are.
        questions = Question.objects.filter(pk__in={row.question_id for row in rows})
        return Q(pk__in=questions.values("author_id"))

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
        """Preview and image upload: for curators, and for members while a round takes
        answers (the only time they can save one); never for visitors."""
        if user.is_staff:
            return True
        return (
            member_of(user) is not None
            and Round.objects.visible().filter(state=Round.State.ANSWERING).exists()
        )

    def can_edit(self, user):
        """Authors edit and restore their answer while the round takes answers."""
        # The round first: a board asks this of every answer, and most rounds are closed.
        return user.is_staff or (
            self.question.round.is_open_for_answers() and is_author(user, self.author_id)
        )

    def can_follow_up(self, user):
        """Ask a follow-up question under this answer: members, on a round they may read (a
        draft's only as curators). An answer blind answering hides is not there at all: the
        views look answers up through revealed_to(), and pages list only the revealed ones."""
        return member_of(user) is not None and self.question.round.is_visible_to(user)

    def can_react(self, user):
        """Give or take back a 👍 💡 ❓: members, on others' answers in rounds they may see
        (drafts are the curators'). The one rule the buttons and the view both ask.

        Not on one's own answer: a reaction tells the author how their answer landed, and
        one's own would only pad the count. An answer blind answering hides is not there at
        all, as for can_follow_up().
        """
        member = member_of(user)
        return (
            member is not None
            and member.pk != self.author_id
            and self.question.round.is_visible_to(user)
        )

    def reaction_count(self, kind):
        """How many members reacted with `kind`; from the board's counts when loaded."""
        from .reactions import Reaction

        counted = getattr(self, Reaction.count_field(kind), None)
        if counted is not None:
            return counted
        return self.reactions.filter(kind=kind).count()

    def set_reaction(self, member, kind, pressed):
        """Give (`pressed`) or take back the member's reaction of `kind`, counted on the
        round's board; repeating either, even at the same moment, is harmless. The new count."""
        from .reactions import Reaction

        with transaction.atomic():
            if pressed:
                # get_or_create() inserts in a savepoint and, when a twin request (a double
                # click) inserted first, reads its row instead of failing on the constraint.
                _reaction, changed = Reaction.objects.get_or_create(
                    answer=self, member=member, kind=kind
                )
            else:
                rows = Reaction.objects.filter(answer=self, member=member, kind=kind)
                changed = bool(rows.delete()[0])
            if changed:
                touch_rounds([self])
            return self.reactions.filter(kind=kind).count()

    def clean(self):
        if self.question_id and not self.question.takes_answers():
            raise ValidationError(
                _("Only picked (%(marker)s) questions take answers.") % {"marker": PICK_MARKER},
                code="not_picked",
            )

    def derive(self):
        super().derive()
        self.round_id = self.question.round_id

    def save_derived(self, *args, **kwargs):
        """Save, keeping the replaced text as a revision; AnswerConflict if `version` is stale."""
        if self._state.adding:
            self.version = 1
        else:
            self._keep_replaced_text()
        super().save_derived(*args, **kwargs)

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


