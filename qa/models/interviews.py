"""Mock interviews: a member rehearses N questions of the bank, one at a time, against the clock."""

import random

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .members import Member
from .questions import Question
from .review import Grade, grade, reviewable_questions
from .topics import Topic

DEFAULT_QUESTIONS = 5
MAX_QUESTIONS = 20


def interview_questions(topic=None, first_round=None, last_round=None):
    """The questions an interview draws from: reviewable ones, within a topic and rounds."""
    questions = reviewable_questions()
    if topic is not None:
        questions = questions.filter(topics=topic)
    if first_round is not None:
        questions = questions.filter(round__number__gte=first_round)
    if last_round is not None:
        questions = questions.filter(round__number__lte=last_round)
    return questions


class MockInterview(models.Model):
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="interviews"
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.SET_NULL, null=True, blank=True
    )
    first_round = models.PositiveIntegerField(_("from round"), null=True, blank=True)
    last_round = models.PositiveIntegerField(_("to round"), null=True, blank=True)
    created = models.DateTimeField(_("started"), default=timezone.now)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("mock interview")
        verbose_name_plural = _("mock interviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_round__isnull=True)
                | Q(last_round__isnull=True)
                | Q(last_round__gte=models.F("first_round")),
                name="qa_mockinterview_rounds_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.created:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("qa:interview-detail", kwargs={"pk": self.pk})

    @classmethod
    def start(cls, member, size=DEFAULT_QUESTIONS, topic=None, first_round=None, last_round=None,
              rng=random):  # fmt: skip
        """Draw `size` questions at random (fewer if fewer match); ValidationError if none do."""
        ids = list(interview_questions(topic, first_round, last_round).values_list("pk", flat=True))
        if not ids:
            raise ValidationError(
                _("No answered or picked question of a closed round matches. "
                  "Choose another topic or more rounds."),
                code="no_questions",
            )  # fmt: skip
        drawn = rng.sample(ids, min(size, len(ids)))
        with transaction.atomic():
            interview = cls.objects.create(
                member=member, topic=topic, first_round=first_round, last_round=last_round
            )
            InterviewItem.objects.bulk_create(
                InterviewItem(interview=interview, question_id=pk, position=n)
                for n, pk in enumerate(drawn, start=1)
            )
        return interview


class InterviewItem(models.Model):
    """One question of an interview: asked, answered in text, then self-graded."""

    interview = models.ForeignKey(
        MockInterview, verbose_name=_("interview"), on_delete=models.CASCADE,
        related_name="items",
    )  # fmt: skip
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    answer = models.TextField(_("your answer"), blank=True, max_length=10_000)
    answered = models.DateTimeField(_("answered"), null=True, blank=True)
    seconds = models.PositiveIntegerField(_("seconds taken"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("grade"), choices=Grade.Rating.choices, null=True, blank=True
    )
    graded = models.DateTimeField(_("graded"), null=True, blank=True)

    class Meta:
        ordering = ["interview", "position"]
        verbose_name = _("interview question")
        verbose_name_plural = _("interview questions")
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "position"], name="qa_interviewitem_unique_position"
            ),
            models.UniqueConstraint(
                fields=["interview", "question"], name="qa_interviewitem_unique_question"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="qa_interviewitem_position_positive"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=4),
                name="qa_interviewitem_rating_valid",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(answered__isnull=False),
                name="qa_interviewitem_graded_after_answer",
            ),
        ]

    def __str__(self):
        return f"{self.interview} #{self.position}"

    @property
    def is_answered(self):
        return self.answered is not None

    def started(self, previous):
        """When the question was first shown: after the previous one was graded."""
        return previous.graded if previous is not None else self.interview.created

    def give_answer(self, text, previous, now=None):
        now = now or timezone.now()
        self.answer = text
        self.answered = now
        self.seconds = max(0, int((now - self.started(previous)).total_seconds()))
        self.save(update_fields=["answer", "answered", "seconds"])

    def give_grade(self, rating, now=None):
        """Self-grade the answer; it schedules the member's review card of the question too."""
        now = now or timezone.now()
        with transaction.atomic():
            self.rating, self.graded = int(rating), now
            self.save(update_fields=["rating", "graded"])
            grade(
                self.interview.member, self.question, rating, now=now,
                source=Grade.Source.INTERVIEW,
            )  # fmt: skip
