"""FSRS scheduling of review cards, on a fixed clock, against the fsrs package's own Scheduler."""

import random
from datetime import datetime, timedelta, timezone

import fsrs
import pytest
from django.db import IntegrityError

from qa.models import Grade, ReviewCard
from qa.models.review import (
    NEW_PER_DAY,
    SCHEDULER,
    AlreadyGraded,
    end_of_today,
    grade,
    new_left_today,
    new_questions,
    reviewable_questions,
    set_status,
    streak,
)

from .factories import AnswerFactory, MemberFactory, QuestionFactory, RoundFactory
from .studying import closed_round_with_answers

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 0, 30, tzinfo=timezone.utc)  # 09:30 in Seoul


def expected_dues(ratings, when_of):
    """The due dates the package's Scheduler, set up as ours, gives a card graded so."""
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=())
    card, dues = fsrs.Card(card_id=1, due=START), []
    for n, rating in enumerate(ratings):
        random.seed(n)  # the same fuzz for both
        card, _log = scheduler.review_card(card, rating, review_datetime=when_of(card))
        dues.append(card.due)
    return dues


def test_our_scheduler_is_the_package_scheduler_without_minute_steps():
    assert SCHEDULER.learning_steps == () and SCHEDULER.relearning_steps == ()
    assert SCHEDULER.parameters == fsrs.Scheduler().parameters
    assert SCHEDULER.desired_retention == fsrs.Scheduler().desired_retention


@pytest.mark.parametrize(
    "ratings",
    [
        [3, 3, 3, 3, 3],
        [1, 3, 3, 4, 2],
        [4, 4, 1, 1, 3, 3],
        [2, 1, 2, 3, 4, 4, 1],
    ],
)
def test_a_sequence_of_grades_on_their_due_dates_gives_the_packages_due_dates(ratings):
    member = MemberFactory()
    _round, (question, *_rest) = closed_round_with_answers(questions=1)
    ratings = [fsrs.Rating(r) for r in ratings]
    expected = expected_dues(ratings, when_of=lambda card: card.due)

    when, seen = START, []
    for n, rating in enumerate(ratings):
        random.seed(n)
        card = grade(member, question, rating.value, now=when)
        seen.append(card.due)
        when = card.due  # graded the moment it comes due
    assert seen == expected
    card.refresh_from_db()
    assert card.due == expected[-1]
    assert card.reps == len(ratings)
    assert list(card.grades.values_list("rating", flat=True)) == [r.value for r in ratings]


def test_grades_given_late_are_scheduled_from_when_they_were_given():
    member = MemberFactory()
    _round, (question,) = closed_round_with_answers(questions=1)
    ratings = [fsrs.Rating.Good, fsrs.Rating.Hard, fsrs.Rating.Good]
    # Each grade three days after the card came due.
    expected = expected_dues(ratings, when_of=lambda card: card.due + timedelta(days=3))
    when, seen = START + timedelta(days=3), []
    for n, rating in enumerate(ratings):
        random.seed(n)
        card = grade(member, question, rating.value, now=when)
        seen.append(card.due)
        when = card.due + timedelta(days=3)
    assert seen == expected


def test_the_stored_card_is_the_packages_card():
    member = MemberFactory()
    _round, (question,) = closed_round_with_answers(questions=1)
    random.seed(7)
    card = grade(member, question, 3, now=START)
    random.seed(7)
    theirs, _log = SCHEDULER.review_card(fsrs.Card(card_id=1, due=START), fsrs.Rating.Good, START)
    card.refresh_from_db()
    ours = card.to_fsrs()
    assert (ours.state, ours.step, ours.due, ours.last_review) == (
        theirs.state, theirs.step, theirs.due, theirs.last_review
    )
    assert ours.stability == pytest.approx(theirs.stability)
    assert ours.difficulty == pytest.approx(theirs.difficulty)


def test_a_card_is_due_today_until_the_end_of_the_day_in_seoul():
    member = MemberFactory()
    _round, (question,) = closed_round_with_answers(questions=1)
    card = grade(member, question, 1, now=START)  # again: due a day later, 09:30 KST
    due_day = card.due
    assert not ReviewCard.objects.of(member).due(now=due_day - timedelta(days=1)).exists()
    # Early that morning in Seoul it is due already: the queue is the whole day's.
    early = due_day.replace(hour=15, minute=5) - timedelta(days=1)  # 00:05 KST that day
    assert ReviewCard.objects.of(member).due(now=early).exists()
    assert end_of_today(early) == datetime(2026, 3, 3, 15, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("status", [ReviewCard.Status.PAUSED, ReviewCard.Status.DROPPED])
def test_paused_and_dropped_cards_never_come_due(status):
    member = MemberFactory()
    _round, (question, other) = closed_round_with_answers(questions=2)
    grade(member, question, 1, now=START)
    grade(member, other, 1, now=START)
    set_status(member, question, status)
    for days in [0, 1, 2, 30, 365, 3650]:
        due = ReviewCard.objects.of(member).due(now=START + timedelta(days=days))
        assert question.pk not in due.values_list("question", flat=True)
    assert other.pk in ReviewCard.objects.of(member).due(now=START + timedelta(days=2)).values_list(
        "question", flat=True
    )
    # Nor is a paused question new again, or counted in the week ahead.
    assert question not in new_questions(member)
    assert sum(ReviewCard.objects.of(member).due_per_day(now=START).values()) == 1  # the other


def test_a_resumed_card_comes_due_as_scheduled():
    member = MemberFactory()
    _round, (question,) = closed_round_with_answers(questions=1)
    card = grade(member, question, 3, now=START)
    set_status(member, question, ReviewCard.Status.PAUSED)
    set_status(member, question, ReviewCard.Status.ACTIVE)
    assert ReviewCard.objects.of(member).due(now=card.due).get() == card


def test_pausing_a_new_question_keeps_it_out_of_the_queue():
    member = MemberFactory()
    _round, (question,) = closed_round_with_answers(questions=1)
    set_status(member, question, ReviewCard.Status.PAUSED)
    assert not new_questions(member).exists()
    assert not ReviewCard.objects.of(member).due(now=START + timedelta(days=400)).exists()


def test_a_grade_from_an_outdated_page_is_not_counted_twice():
    member = MemberFactory()
    _round, (question,) = closed_round_with_answers(questions=1)
    grade(member, question, 3, now=START, seen_reps=0)
    with pytest.raises(AlreadyGraded):
        grade(member, question, 3, now=START, seen_reps=0)
    assert Grade.objects.count() == 1


def test_reviewable_questions_are_picked_or_answered_questions_of_closed_rounds():
    _round, (closed_question,) = closed_round_with_answers(questions=1)
    unpicked = QuestionFactory(round=closed_question.round, author=closed_question.author, position=9)
    running = QuestionFactory(round=RoundFactory())  # answering
    AnswerFactory(question=running)
    answered_only = QuestionFactory(round=closed_question.round, author=closed_question.author,
                                    position=10)  # fmt: skip
    AnswerFactory(question=answered_only)
    assert set(reviewable_questions()) == {closed_question, answered_only}
    assert unpicked not in reviewable_questions()


def test_a_member_meets_at_most_so_many_new_questions_a_day():
    member = MemberFactory()
    _round, questions = closed_round_with_answers(questions=NEW_PER_DAY + 2, answers_each=1)
    for question in questions[:NEW_PER_DAY]:
        grade(member, question, 3)
    assert new_left_today(member) == 0
    assert new_questions(member).count() == 2


def test_the_streak_counts_days_in_a_row_up_to_today_or_yesterday():
    member = MemberFactory()
    _round, questions = closed_round_with_answers(questions=4, answers_each=1)
    today = datetime(2026, 3, 10, 3, 0, tzinfo=timezone.utc)  # 12:00 in Seoul
    for days_ago, question in zip([1, 2, 3, 5], questions):
        grade(member, question, 3, now=today - timedelta(days=days_ago))
    assert streak(member, now=today) == 3  # yesterday and the two days before
    grade(member, questions[0], 3, now=today)
    assert streak(member, now=today) == 4
    assert streak(member, now=today + timedelta(days=2)) == 0


def test_due_counts_for_the_week_ahead_hold_overdue_cards_today():
    member = MemberFactory()
    _round, questions = closed_round_with_answers(questions=3, answers_each=1)
    for question in questions:
        grade(member, question, 1, now=START)  # all due a day later
    week = ReviewCard.objects.of(member).due_per_day(now=START + timedelta(days=3))
    assert list(week.values()) == [3, 0, 0, 0, 0, 0, 0]
    week = ReviewCard.objects.of(member).due_per_day(now=START)
    assert list(week.values())[:2] == [0, 3]


def test_one_card_per_member_and_question():
    member = MemberFactory()
    _round, (question,) = closed_round_with_answers(questions=1)
    ReviewCard.objects.create(member=member, question=question)
    with pytest.raises(IntegrityError):
        ReviewCard.objects.create(member=member, question=question)


@pytest.mark.parametrize(
    "fields",
    [{"status": "forgotten"}, {"state": 7}],
)
def test_card_status_and_state_are_checked(fields):
    _round, (question,) = closed_round_with_answers(questions=1)
    with pytest.raises(IntegrityError):
        ReviewCard.objects.create(member=MemberFactory(), question=question, **fields)


@pytest.mark.parametrize("fields", [{"rating": 0}, {"rating": 5}, {"source": "dream"}])
def test_grade_rating_and_source_are_checked(fields):
    _round, (question,) = closed_round_with_answers(questions=1)
    card = ReviewCard.objects.create(member=MemberFactory(), question=question)
    with pytest.raises(IntegrityError):
        Grade.objects.create(card=card, **{"rating": 3, **fields})
