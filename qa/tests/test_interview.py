"""/interview/: N questions from the bank, answered one at a time, self-graded into review."""

import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from qa.models import Grade, InterviewItem, Member, MockInterview, ReviewCard
from qa.models.interviews import DEFAULT_QUESTIONS

from .factories import MemberFactory
from .people import sign_in
from .studying import closed_round_with_answers, default_topics

pytestmark = pytest.mark.django_db

START = reverse("qa:interview")


@pytest.fixture
def member_client():
    return sign_in("moon")


def moon():
    return Member.objects.get(name="moon")


def test_visitors_sign_in_first_and_accounts_without_a_member_are_refused():
    assert Client().get(START)["Location"].startswith(reverse("account_login"))
    assert sign_in("admin", member=False).get(START).status_code == 403


def test_an_interview_draws_five_questions_by_default(member_client):
    closed_round_with_answers(questions=8, answers_each=1)
    page = member_client.get(START).content.decode()
    assert 'name="size"' in page and 'value="5"' in page
    response = member_client.post(START, {"size": DEFAULT_QUESTIONS})
    interview = MockInterview.objects.get()
    assert response["Location"] == interview.get_absolute_url()
    assert interview.items.count() == 5 and interview.member == moon()
    assert len(set(interview.items.values_list("question", flat=True))) == 5


def test_questions_come_from_the_topic_and_rounds_chosen(member_client):
    topics = default_topics()
    _r1, early = closed_round_with_answers(questions=3, number=1)
    _r2, middle = closed_round_with_answers(questions=3, number=2)
    _r3, late = closed_round_with_answers(questions=3, number=3)
    for question in [*early, middle[0], late[0]]:
        question.topics.set([topics["network"]])
    member_client.post(
        START, {"size": 10, "topic": "network", "first_round": 2, "last_round": 3}
    )
    drawn = set(MockInterview.objects.get().items.values_list("question", flat=True))
    assert drawn == {middle[0].pk, late[0].pk}


def test_no_matching_question_is_said_and_nothing_is_started(member_client):
    closed_round_with_answers(questions=2, number=1)
    response = member_client.post(START, {"size": 3, "first_round": 5})
    assert response.status_code == 200
    assert "맞는 질문이 없습니다" in response.content.decode()
    assert not MockInterview.objects.exists()


@pytest.mark.parametrize(
    "data", [{"size": 0}, {"size": 21}, {"size": 3, "first_round": 4, "last_round": 2}]
)
def test_bad_choices_are_refused(member_client, data):
    closed_round_with_answers(questions=2)
    response = member_client.post(START, data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not MockInterview.objects.exists()


def answer_and_grade(client, interview, text, rating):
    item = interview.items.filter(rating__isnull=True).first()
    url = interview.get_absolute_url()
    client.post(reverse("qa:interview-answer", args=[interview.pk]), {"item": item.pk, "answer": text})
    page = client.get(url).content.decode()
    client.post(reverse("qa:interview-grade", args=[interview.pk]), {"item": item.pk, "rating": rating})
    return item, page


def test_one_question_at_a_time_then_the_groups_answers_then_a_grade_into_review(member_client):
    closed_round_with_answers(questions=3, answers_each=2)
    interview = MockInterview.start(moon(), size=3, rng=random.Random(1))
    first = interview.items.first()
    page = member_client.get(interview.get_absolute_url()).content.decode()
    assert "질문 1 / 3" in page and first.question.text in page
    assert "답변 0" not in page  # the group's answers wait for the member's
    assert "data-timer" in page and "autofocus" in page

    item, page = answer_and_grade(member_client, interview, "UDP는 연결이 없습니다", 2)
    assert "UDP는 연결이 없습니다" in page and f"답변 0: {item.question.text}" in page
    assert 'name="rating" value="4"' in page
    item.refresh_from_db()
    assert item.rating == 2 and item.seconds is not None
    card = ReviewCard.objects.get(member=moon(), question=item.question)
    assert card.reps == 1
    assert card.grades.get().source == Grade.Source.INTERVIEW

    answer_and_grade(member_client, interview, "", 3)
    answer_and_grade(member_client, interview, "마지막", 4)
    summary = member_client.get(interview.get_absolute_url()).content.decode()
    assert "면접 끝" in summary and summary.count("<tr>") == 4
    assert ReviewCard.objects.filter(member=moon()).count() == 3


def test_answers_and_grades_for_another_question_or_twice_are_ignored(member_client):
    closed_round_with_answers(questions=2)
    interview = MockInterview.start(moon(), size=2)
    first, second = interview.items.all()
    answer = reverse("qa:interview-answer", args=[interview.pk])
    grade = reverse("qa:interview-grade", args=[interview.pk])
    member_client.post(grade, {"item": first.pk, "rating": 3})  # not answered yet
    member_client.post(answer, {"item": second.pk, "answer": "먼저"})  # not its turn
    assert not InterviewItem.objects.filter(answered__isnull=False).exists()
    member_client.post(answer, {"item": first.pk, "answer": "하나"})
    member_client.post(answer, {"item": first.pk, "answer": "둘"})
    first.refresh_from_db()
    assert first.answer == "하나"
    member_client.post(grade, {"item": first.pk, "rating": 3})
    member_client.post(grade, {"item": first.pk, "rating": 1})
    assert Grade.objects.count() == 1


def test_an_interview_is_its_members_alone(member_client):
    closed_round_with_answers(questions=2)
    theirs = MockInterview.start(MemberFactory(name="sky"), size=2)
    item = theirs.items.first()
    assert member_client.get(theirs.get_absolute_url()).status_code == 404
    member_client.post(
        reverse("qa:interview-answer", args=[theirs.pk]), {"item": item.pk, "answer": "x"}
    )
    item.refresh_from_db()
    assert item.answered is None


def test_answering_needs_the_csrf_token():
    closed_round_with_answers(questions=1)
    client = sign_in("moon", enforce_csrf_checks=True)
    assert client.post(START, {"size": 1}).status_code == 403
    assert not MockInterview.objects.exists()


def test_the_time_taken_runs_from_the_previous_grade():
    closed_round_with_answers(questions=2)
    interview = MockInterview.start(moon_member(), size=2)
    first, second = interview.items.all()
    first.give_answer("a", None, now=interview.created + timedelta(seconds=42))
    first.give_grade(3, now=interview.created + timedelta(seconds=60))
    second.give_answer("b", first, now=interview.created + timedelta(seconds=150))
    assert (first.seconds, second.seconds) == (42, 90)


def test_a_question_appears_once_in_an_interview():
    _round, (question,) = closed_round_with_answers(questions=1)
    interview = MockInterview.start(moon_member(), size=1)
    with pytest.raises(IntegrityError):
        InterviewItem.objects.create(interview=interview, question=question, position=2)


def moon_member():
    return MemberFactory(name="moon")


@pytest.mark.parametrize(
    "fields",
    [{"position": 0}, {"rating": 5, "answered": None}, {"rating": 3, "answered": None}],
)
def test_item_checks(fields):
    _round, (question, other) = closed_round_with_answers(questions=2)
    interview = MockInterview.objects.create(member=moon_member())
    with pytest.raises(IntegrityError):
        InterviewItem.objects.create(
            interview=interview, question=other, **{"position": 1, **fields}
        )


def test_rounds_in_order():
    with pytest.raises(IntegrityError):
        MockInterview.objects.create(member=moon_member(), first_round=5, last_round=2)


def test_start_refuses_when_nothing_matches():
    with pytest.raises(ValidationError):
        MockInterview.start(moon_member(), size=3)


@pytest.mark.parametrize("rounds", [1, 8])
def test_the_interview_pages_take_the_same_queries_at_any_size(
    member_client, django_assert_max_num_queries, rounds
):
    default_topics()
    for n in range(rounds):
        closed_round_with_answers(questions=3, answers_each=3)
    with django_assert_max_num_queries(5):  # session, account, member, the topic choices
        assert member_client.get(START).status_code == 200
    interview = MockInterview.start(moon(), size=5)
    item = interview.items.first()
    # session, account, member; the interview, its items, the question's topics
    with django_assert_max_num_queries(6):
        assert member_client.get(interview.get_absolute_url()).status_code == 200
    item.give_answer("답", None)
    with django_assert_max_num_queries(7):  # and the group's answers
        assert member_client.get(interview.get_absolute_url()).status_code == 200
