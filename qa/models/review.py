"""Spaced review: one FSRS card per member and question, and the grades that move it."""

from datetime import datetime, time, timedelta
from datetime import timezone as utc_zone

import fsrs
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .members import Member
from .questions import Question
from .rounds import Round

# Members review once a day, not minute by minute as in Anki's learning steps: without steps
# every grade, "again" too, schedules whole days, so a queue is "what is due today". Fuzzing
# (on, the package's default) spreads the questions of one round over neighbouring days.
SCHEDULER = fsrs.Scheduler(learning_steps=(), relearning_steps=())
# New questions a member meets per day, beside those due: a year of rounds is hundreds.
NEW_PER_DAY = 10


def end_of_today(now=None):
    """The first moment of tomorrow in the site's time zone: a card due before it is due today."""
    today = timezone.localdate(now or timezone.now())
    return day_start(today + timedelta(days=1))


def day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def reviewable_questions():
    """Questions of closed rounds that were picked or answered: what review and interviews ask.

    The one statement of that rule.
    """
    from .answers import Answer
    from .questions import Pick

    return Question.objects.filter(round__state=Round.State.CLOSED).filter(
        Exists(Pick.objects.filter(question=OuterRef("pk")))
        | Exists(Answer.objects.filter(question=OuterRef("pk")))
    )


class CardQuerySet(models.QuerySet):
    def of(self, member):
        return self.filter(member=member)

    def active(self):
        """Cards that come due: paused and dropped ones never do."""
        return self.filter(status=ReviewCard.Status.ACTIVE)

    def due(self, now=None):
        """Active cards due today (before tomorrow in the site's time zone), soonest first."""
        return self.active().filter(due__lt=end_of_today(now)).order_by("due", "pk")

    def due_per_day(self, days=7, now=None):
        """{date: count} of active cards due on each of the next `days` days; today's count
        holds the overdue ones too."""
        today = timezone.localdate(now or timezone.now())
        end = day_start(today + timedelta(days=days))
        rows = (
            self.active()
            .filter(due__lt=end)
            .annotate(day=TruncDate("due", tzinfo=timezone.get_current_timezone()))
            .values("day")
            .annotate(count=Count("pk"))
            .order_by()
        )
        counts = {today + timedelta(days=n): 0 for n in range(days)}
        for row in rows:
            counts[max(row["day"], today)] += row["count"]
        return counts

    def with_question(self):
        return self.select_related("question__round", "question__author")


class ReviewCard(models.Model):
    """A member's memory of one question, as FSRS models it (the fields of fsrs.Card)."""

    class State(models.IntegerChoices):
        LEARNING = fsrs.State.Learning.value, _("Learning")
        REVIEW = fsrs.State.Review.value, _("Review")
        RELEARNING = fsrs.State.Relearning.value, _("Relearning")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        DROPPED = "dropped", _("Dropped")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="review_cards"
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="review_cards",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    state = models.PositiveSmallIntegerField(
        _("FSRS state"), choices=State.choices, default=State.LEARNING
    )
    step = models.PositiveSmallIntegerField(_("learning step"), null=True, blank=True, default=0)
    stability = models.FloatField(_("stability"), null=True, blank=True)
    difficulty = models.FloatField(_("difficulty"), null=True, blank=True)
    due = models.DateTimeField(_("due"), default=timezone.now)
    last_review = models.DateTimeField(_("last review"), null=True, blank=True)
    # How many grades the card has had: a grade sent from a page showing an older count is a
    # double click or a second tab, and is not counted twice.
    reps = models.PositiveIntegerField(_("grades"), default=0)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("review card")
        verbose_name_plural = _("review cards")
        indexes = [models.Index(fields=["member", "status", "due"], name="qa_reviewcard_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "question"], name="qa_reviewcard_unique_member_question"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "paused", "dropped"]),
                name="qa_reviewcard_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[1, 2, 3]), name="qa_reviewcard_state_valid"
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.question}"

    def get_absolute_url(self):
        return reverse("qa:review")

    def to_fsrs(self):
        return fsrs.Card(
            card_id=self.pk or 0,
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due.astimezone(utc_zone.utc),
            last_review=self.last_review.astimezone(utc_zone.utc) if self.last_review else None,
        )

    def take(self, card):
        """Store the state of an fsrs.Card."""
        self.state, self.step = card.state.value, card.step
        self.stability, self.difficulty = card.stability, card.difficulty
        self.due, self.last_review = card.due, card.last_review

    def is_due(self, now=None):
        return self.status == self.Status.ACTIVE and self.due < end_of_today(now)


class Grade(models.Model):
    """One self-grade of a card, from the review queue or a mock interview."""

    class Rating(models.IntegerChoices):
        AGAIN = fsrs.Rating.Again.value, _("Again")
        HARD = fsrs.Rating.Hard.value, _("Hard")
        GOOD = fsrs.Rating.Good.value, _("Good")
        EASY = fsrs.Rating.Easy.value, _("Easy")

    class Source(models.TextChoices):
        REVIEW = "review", _("Review")
        INTERVIEW = "interview", _("Mock interview")

    card = models.ForeignKey(
        ReviewCard, verbose_name=_("card"), on_delete=models.CASCADE, related_name="grades"
    )
    rating = models.PositiveSmallIntegerField(_("grade"), choices=Rating.choices)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.REVIEW
    )
    reviewed = models.DateTimeField(_("reviewed"), default=timezone.now)

    class Meta:
        ordering = ["reviewed", "pk"]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=4), name="qa_grade_rating_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["review", "interview"]), name="qa_grade_source_valid"
            ),
        ]

    def __str__(self):
        return f"{self.card} {self.get_rating_display()}"


class AlreadyGraded(Exception):
    """The card was graded since the page that sent this grade was shown."""


def grade(member, question, rating, *, now=None, seen_reps=None, source=Grade.Source.REVIEW):
    """Grade the member's card of `question` (created on its first grade) and schedule it.

    `seen_reps`, the card's number of grades on the page that sent the grade, refuses a
    repeated grade with AlreadyGraded.
    """
    now = now or timezone.now()
    rating = Grade.Rating(int(rating))
    with transaction.atomic():
        card, _created = ReviewCard.objects.get_or_create(
            member=member, question=question, defaults={"due": now}
        )
        card = ReviewCard.objects.select_for_update().get(pk=card.pk)
        if seen_reps is not None and card.reps != seen_reps:
            raise AlreadyGraded
        scheduled, _log = SCHEDULER.review_card(
            card.to_fsrs(), fsrs.Rating(rating.value), review_datetime=now.astimezone(utc_zone.utc)
        )
        card.take(scheduled)
        card.reps += 1
        card.save()
        Grade.objects.create(card=card, rating=rating, source=source, reviewed=now)
    return card


def set_status(member, question, status):
    """Pause, drop or resume the member's card of `question`, creating it if need be."""
    card, created = ReviewCard.objects.get_or_create(
        member=member, question=question, defaults={"status": status}
    )
    if not created and card.status != status:
        card.status = status
        card.save(update_fields=["status"])
    return card


def streak(member, now=None):
    """Days in a row, up to today (or up to yesterday, before today's first grade), on which
    the member graded at least one card."""
    today = timezone.localdate(now or timezone.now())
    days = set(
        Grade.objects.filter(card__member=member, reviewed__gte=day_start(today - timedelta(366)))
        .datetimes("reviewed", "day")
    )
    days = {timezone.localdate(day) if timezone.is_aware(day) else day.date() for day in days}
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def new_questions(member):
    """Reviewable questions the member has no card for yet, oldest round first."""
    return (
        reviewable_questions()
        .exclude(Exists(ReviewCard.objects.filter(member=member, question=OuterRef("pk"))))
        .order_by("round__number", "position", "pk")
    )


def new_left_today(member, now=None):
    """How many new questions the member may still meet today (NEW_PER_DAY a day)."""
    today = timezone.localdate(now or timezone.now())
    started = ReviewCard.objects.of(member).filter(created__gte=day_start(today)).count()
    return max(0, NEW_PER_DAY - started)
