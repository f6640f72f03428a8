from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .markdown import render_markdown

PICK_MARKER = "👀"


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


class RoundQuerySet(models.QuerySet):
    def visible(self):
        """Rounds the board shows; drafts are for curators only."""
        return self.exclude(state=Round.State.DRAFT)

    def with_counts(self):
        return self.annotate(
            question_count=_count_of(Question.objects.filter(round=OuterRef("pk")), "round"),
            pick_count=_count_of(Pick.objects.filter(round=OuterRef("pk")), "round"),
            answer_count=_count_of(
                Answer.objects.filter(question__round=OuterRef("pk")), "question__round"
            ),
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
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

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


class QuestionQuerySet(models.QuerySet):
    def with_pick_count(self):
        return self.annotate(pick_count=_count_of(Pick.objects.filter(question=OuterRef("pk")), "question"))

    def for_board(self):
        """Questions with author, picks and answers loaded; the board's query count stays flat."""
        return (
            self.select_related("author", "round")
            .prefetch_related(
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
            )
            .order_by("pk")
        )


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

    def save(self, *args, **kwargs):
        self.text_html = render_markdown(self.text)
        if kwargs.get("update_fields") is not None and "text" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "text_html"}
        super().save(*args, **kwargs)

    def pick(self, picker=None):
        """Mark this question 👀; `picker=None` is a pick by the curators."""
        pick = Pick(question=self, picker=picker)
        pick.full_clean()
        pick.save()
        return pick

    def save_answer(self, author, body):
        """One answer per member per question: a second attempt edits the first."""
        answer = Answer.objects.filter(question=self, author=author).first() or Answer(
            question=self, author=author
        )
        answer.body = body
        answer.full_clean()
        answer.save()
        return answer


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


class Answer(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    author = models.ForeignKey(
        Member, verbose_name=_("author"), on_delete=models.PROTECT, related_name="answers"
    )
    body = models.TextField(_("answer (Markdown)"))
    body_html = models.TextField(editable=False, default="")
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "author"], name="qa_answer_unique_author_question"
            ),
            models.CheckConstraint(condition=~Q(body=""), name="qa_answer_body_not_blank"),
        ]

    def __str__(self):
        return gettext("%(author)s's answer to %(question)s") % {
            "author": self.author,
            "question": self.question,
        }

    def get_absolute_url(self):
        return f"{self.question.get_absolute_url()}#answer-{self.pk}"

    def clean(self):
        if self.question_id and not self.question.picks.exists():
            raise ValidationError(
                _("Only picked (%(marker)s) questions take answers.") % {"marker": PICK_MARKER},
                code="not_picked",
            )

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)
