"""Follow-up questions (꼬리 질문): short comments under an answer, which may become a
question of the next round."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .answers import Answer
from .members import Member, is_author
from .questions import Question
from .rounds import Round
from .writing import Derived, DerivedQuerySet, touch_rounds, written_markdown

FOLLOW_UP_MAX_LENGTH = 5_000


class FollowUpConflict(Exception):
    """Someone saved the follow-up after this edit was loaded; saving would overwrite it."""

    def __init__(self, current):
        super().__init__(f"follow-up {current.pk} is at version {current.version}")
        self.current = current


class FollowUpQuerySet(DerivedQuerySet):
    def visible_to(self, user):
        return self.filter(round__in=Round.objects.visible_to(user))

    def for_thread(self):
        """A thread under its answer, oldest first, with what each follow-up links to."""
        return self.select_related("author", "promoted_to__round").order_by("created", "pk")


class FollowUp(Derived, models.Model):
    derived_fields = ("body", "body_html", "round_id")
    saved_with = ("updated", "version")

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
    # Each saved change of the text adds one; an edit carries the version it started from,
    # so a save based on an older text is refused instead of overwriting a newer one.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("follow-up question")
        verbose_name_plural = _("follow-up questions")
        indexes = [models.Index(fields=["answer", "created"], name="qa_followup_answer_created")]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="qa_followup_body_not_blank"),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="qa_followup_version_positive"
            ),
        ]

    @classmethod
    def news_readers(cls, rows):
        # Member.new_for_you(): follow-ups on one's answers.
        answers = Answer.objects.filter(pk__in={row.answer_id for row in rows})
        return Q(pk__in=answers.values("author_id"))

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"

    def get_absolute_url(self):
        question_page = reverse("qa:question-detail", kwargs={"pk": self.answer.question_id})
        return f"{question_page}#follow-up-{self.pk}"

    def derive(self):
        self.body, self.body_html = written_markdown(self.body)
        self.round_id = self.answer.round_id

    def save_derived(self, *args, **kwargs):
        """Save; FollowUpConflict if the text changed since `version` was read."""
        if self._state.adding:
            self.version = 1
        else:
            # The row lock makes a simultaneous edit wait, then see our version.
            current = FollowUp.objects.select_for_update().filter(pk=self.pk).first()
            if current is None:
                raise FollowUp.DoesNotExist
            if current.body == self.body:
                self.version = current.version
            elif current.version != self.version:
                raise FollowUpConflict(current)
            else:
                self.version = current.version + 1
        super().save_derived(*args, **kwargs)

    def edit(self, body, version):
        """Save a new text written over `version`; only the text, so a promotion made
        meanwhile stays. FollowUpConflict if someone saved another text since."""
        self.body, self.version = body, version
        self.save(update_fields=["body"])

    def can_edit(self, user):
        return is_author(user, self.author_id)

    def can_delete(self, user):
        """Authors take back their own; curators moderate."""
        return user.is_staff or is_author(user, self.author_id)

    def can_promote(self, user):
        """Authors and curators; whether it may go (once, to a round that takes questions)
        is promote()'s to say, with the reason."""
        return user.is_staff or is_author(user, self.author_id)

    def promote(self, user):
        """Make this follow-up its author's question in the next round and return it.

        ValidationError when the board's rules stand in the way: promoted already, no next
        round (curators create it as a draft), a round past taking questions, a full list.
        """
        with transaction.atomic():
            # The row lock makes a simultaneous promotion wait, then find promoted_to set.
            current = FollowUp.objects.select_for_update().filter(pk=self.pk).first()
            if current is None:
                raise FollowUp.DoesNotExist
            if current.promoted_to_id is not None:
                raise ValidationError(
                    _("This follow-up is already a question of a later week."), code="promoted"
                )
            round_ = self._next_round(user)
            if not (round_.state == Round.State.DRAFT or round_.is_open_for_questions()):
                raise ValidationError(
                    _("Week %(number)d no longer takes questions."),
                    code="round_not_open",
                    params={"number": round_.number},
                )
            try:
                question = round_.add_question(self.author, current.body)
            except ValidationError as error:
                if getattr(error, "code", None) != "question_limit":
                    raise
                raise ValidationError(
                    _("%(name)s already has %(limit)d questions in week %(number)d."),
                    code="question_limit",
                    params={
                        "name": self.author.name,
                        "limit": round_.question_limit,
                        "number": round_.number,
                    },
                ) from None
            FollowUp.objects.filter(pk=self.pk).update(promoted_to=question)
            # The thread shows where it went.
            touch_rounds([self])
        self.promoted_to = question
        return question

    def _next_round(self, user):
        number = self.round.number + 1
        round_ = Round.objects.filter(number=number).first()
        if round_ is not None:
            return round_
        if not user.is_staff:
            raise ValidationError(
                _("There is no week %(number)d yet; a curator can create it."),
                code="no_next_round",
                params={"number": number},
            )
        try:
            with transaction.atomic():
                return Round.objects.create(number=number)  # a draft, for curators to finish
        except IntegrityError:  # a simultaneous promotion created it first
            return Round.objects.get(number=number)
