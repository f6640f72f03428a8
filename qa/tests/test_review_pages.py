"""The review queue and the progress page: who may use them, what a grade does, query counts."""

import pytest
from django.test import Client
from django.urls import reverse

from qa.models import Grade, ReviewCard
from qa.models.review import grade

from .people import sign_in
from .studying import closed_round_with_answers, default_topics

pytestmark = pytest.mark.django_db

REVIEW = reverse("qa:review")
PROGRESS = reverse("qa:review-progress")


def grade_url(question):
    return reverse("qa:review-grade", args=[question.pk])


def status_url(question):
    return reverse("qa:review-status", args=[question.pk])


@pytest.fixture
def member_client():
    return sign_in("moon")


def test_visitors_are_asked_to_sign_in_and_accounts_without_a_member_are_refused():
    assert Client().get(REVIEW).status_code == 302
    assert Client().get(PROGRESS)["Location"].startswith(reverse("account_login"))
    assert sign_in("admin", member=False).get(REVIEW).status_code == 403
    _round, (question,) = closed_round_with_answers(questions=1)
    assert Client().post(grade_url(question), {"rating": 3}).status_code == 302
    assert sign_in("nobody", member=False).post(grade_url(question), {"rating": 3}).status_code == 403
    assert not Grade.objects.exists()


def test_the_queue_shows_the_question_alone_and_its_answers_behind_a_disclosure(member_client):
    _round, (question,) = closed_round_with_answers(questions=1, answers_each=2)
    page = member_client.get(REVIEW).content.decode()
    assert question.text in page
    before, _sep, after = page.partition("<details")
    assert "답변 0" not in before  # the answers come only after the reveal
    assert "답변 0" in after and "답변 1" in after
    assert after.index("답변 1") < after.index('name="rating" value="1"')
    assert 'name="csrfmiddlewaretoken"' in page


def test_grading_schedules_the_card_and_shows_the_next_question(member_client):
    _round, (first, second) = closed_round_with_answers(questions=2)
    response = member_client.post(grade_url(first), {"rating": 3, "reps": 0})
    assert response.status_code == 302 and response["Location"] == REVIEW
    card = ReviewCard.objects.get(question=first)
    assert card.reps == 1 and not card.is_due()
    page = member_client.get(REVIEW).content.decode()
    assert second.text in page and first.text not in page


def test_a_repeated_grade_is_counted_once(member_client):
    _round, (question, _other) = closed_round_with_answers(questions=2)
    member_client.post(grade_url(question), {"rating": 1, "reps": 0})
    response = member_client.post(grade_url(question), {"rating": 1, "reps": 0}, follow=True)
    assert Grade.objects.count() == 1
    assert "이미" in response.content.decode()


@pytest.mark.parametrize("rating", ["0", "5", "good", ""])
def test_a_grade_that_is_not_one_of_the_four_changes_nothing(member_client, rating):
    _round, (question,) = closed_round_with_answers(questions=1)
    member_client.post(grade_url(question), {"rating": rating, "reps": 0})
    assert not ReviewCard.objects.exists()


def test_only_reviewable_questions_can_be_graded(member_client):
    from .factories import QuestionFactory

    running = QuestionFactory()  # a round still answering
    assert member_client.post(grade_url(running), {"rating": 3}).status_code == 404


def test_grading_needs_the_csrf_token():
    _round, (question,) = closed_round_with_answers(questions=1)
    client = sign_in("moon", enforce_csrf_checks=True)
    assert client.post(grade_url(question), {"rating": 3}).status_code == 403
    assert client.post(status_url(question), {"action": "pause"}).status_code == 403
    assert not ReviewCard.objects.exists()


def test_pause_drop_and_resume(member_client):
    _round, (question, other) = closed_round_with_answers(questions=2)
    member_client.post(status_url(question), {"action": "pause"})
    assert ReviewCard.objects.get(question=question).status == "paused"
    page = member_client.get(REVIEW).content.decode()
    assert question.text not in page and other.text in page
    progress = member_client.get(PROGRESS).content.decode()
    assert question.text in progress
    response = member_client.post(status_url(question), {"action": "resume", "next": PROGRESS})
    assert response["Location"] == PROGRESS
    assert ReviewCard.objects.get(question=question).status == "active"
    member_client.post(status_url(other), {"action": "drop"})
    assert ReviewCard.objects.get(question=other).status == "dropped"
    member_client.post(status_url(other), {"action": "explode"})
    assert ReviewCard.objects.get(question=other).status == "dropped"


def test_an_empty_queue_says_when_the_next_question_comes(member_client):
    _round, (question,) = closed_round_with_answers(questions=1)
    member_client.post(grade_url(question), {"rating": 3, "reps": 0})
    page = member_client.get(REVIEW).content.decode()
    assert "오늘 복습할 질문이 없습니다" in page
    due = ReviewCard.objects.get().due
    assert f"{due:%Y-%m-%d}"[:4] in page


def test_the_progress_page_shows_streak_week_and_weakest_topics(member_client):
    topics = default_topics()
    _round, (tcp, process) = closed_round_with_answers(
        questions=2, texts=["TCP와 UDP의 차이", "프로세스와 스레드"]
    )
    tcp.topics.set([topics["network"]])
    process.topics.set([topics["os"]])
    from qa.models import Member

    moon = Member.objects.get(name="moon")
    grade(moon, tcp, 1)
    grade(moon, process, 3)
    page = member_client.get(PROGRESS).content.decode()
    assert "1일" in page  # the streak
    assert "네트워크" in page.partition("weak-heading")[2].partition("</section>")[0]
    assert "운영체제" not in page.partition("weak-heading")[2].partition("</section>")[0]
    assert page.count("<tr>") == 8  # the heading row and seven days


@pytest.mark.parametrize("size", [1, 8])
def test_the_review_queue_takes_the_same_queries_at_any_size(
    member_client, django_assert_num_queries, size
):
    from datetime import timedelta

    from django.utils import timezone

    from qa.models import Member

    default_topics()
    moon = Member.objects.get(name="moon")
    for n in range(size):
        _round, questions = closed_round_with_answers(questions=3, answers_each=3)
        grade(moon, questions[0], 1, now=timezone.now() - timedelta(days=3))  # due again
    # Session, account with its member; the first due card (with its question) and their count; new
    # questions met today and their count; the question's topics and its answers.
    with django_assert_num_queries(8):
        page = member_client.get(REVIEW).content.decode()
    assert f"오늘 복습: {size} · 새 질문: {min(10 - size, 2 * size)}" in page


@pytest.mark.parametrize("size", [1, 8])
def test_the_progress_page_takes_the_same_queries_at_any_size(
    member_client, django_assert_max_num_queries, size
):
    from qa.models import Member

    default_topics()
    moon = Member.objects.get(name="moon")
    for n in range(size):
        _round, questions = closed_round_with_answers(questions=3, answers_each=1)
        for question in questions:
            grade(moon, question, 1 if n % 2 else 3)
    with django_assert_max_num_queries(10):
        assert member_client.get(PROGRESS).status_code == 200
