"""A follow-up question promoted, by its author or a curator, into a question of the next round:
where it goes, who asks it, the links both ways, and when it is refused."""

import pytest
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa.models import FollowUp, Member, Question, Round

from .factories import AnswerFactory, FollowUpFactory, PickFactory, QuestionFactory, RoundFactory
from .people import role_clients, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients():
    """Each role's client, reading in English: the tests look for the interface's words."""
    return role_clients(language="en")


@pytest.fixture
def follow_up(clients):
    """A follow-up by "member" under an answer of week 3; week 4 is open for questions."""
    question = QuestionFactory(round=RoundFactory(number=3, state=Round.State.ANSWERING))
    PickFactory(question=question)
    answer = AnswerFactory(question=question, author=Member.objects.create(name="answerer"))
    RoundFactory(number=4, state=Round.State.QUESTIONS_OPEN, question_limit=2)
    return FollowUpFactory(answer=answer, author=member("member"), body="그럼 **L7**은 어떤가요?")


def member(name):
    return Member.objects.get(name=name)


def promote(client, follow_up):
    return client.post(reverse("qa:follow-up-promote", args=[follow_up.pk]))


def errors(response):
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_author_promotes_it_into_the_next_round_as_their_own_question(follow_up, clients):
    QuestionFactory(round=Round.objects.get(number=4), author=member("member"), position=1)
    response = promote(clients["member"], follow_up)
    question = Question.objects.get(round__number=4, position=2)
    assert response.status_code == 302 and response["Location"] == question.get_absolute_url()
    assert question.author == member("member")
    assert question.text == "그럼 **L7**은 어떤가요?"
    assert "<strong>L7</strong>" in question.text_html
    assert question.label == "2."
    follow_up.refresh_from_db()
    assert follow_up.promoted_to == question


def test_a_curator_promotes_someone_elses_follow_up_which_stays_theirs(follow_up, clients):
    assert promote(clients["curator"], follow_up).status_code == 302
    question = Question.objects.get(round__number=4)
    assert question.author == member("member")


def test_the_two_link_to_each_other(follow_up, clients):
    promote(clients["member"], follow_up)
    question = Question.objects.get(round__number=4)
    answer = follow_up.answer
    thread = page(clients["visitor"], answer.question.get_absolute_url())
    assert f'href="{question.get_absolute_url()}"' in thread
    assert "Moved to a week 4 question" in thread
    origin = page(clients["visitor"], question.get_absolute_url())
    assert 'class="question-detail__origin"' in origin
    assert f'href="{answer.get_absolute_url()}"' in origin
    assert "From member's follow-up question on answerer's answer in week 3" in origin


def test_only_the_author_and_curators_promote(follow_up, clients):
    url = reverse("qa:follow-up-promote", args=[follow_up.pk])
    assert clients["other"].post(url).status_code == 403
    visitor = clients["visitor"].post(url)
    assert visitor.status_code == 302 and visitor["Location"].startswith(reverse("account_login"))
    assert clients["member"].get(url).status_code == 405
    assert not Question.objects.filter(round__number=4).exists()


def test_promoting_twice_is_refused(follow_up, clients):
    promote(clients["member"], follow_up)
    again = promote(clients["curator"], follow_up)
    assert again.status_code == 302 and again["Location"] == follow_up.get_absolute_url()
    assert errors(again) == ["This follow-up is already a question of a later week."]
    assert Question.objects.filter(round__number=4).count() == 1
    # Nor does the thread offer it again.
    promote_url = reverse("qa:follow-up-promote", args=[follow_up.pk])
    assert promote_url not in page(clients["member"], follow_up.get_absolute_url())


def test_the_round_limit_is_a_clear_error(follow_up, clients):
    week4 = Round.objects.get(number=4)
    for position in (1, 2):
        QuestionFactory(round=week4, author=member("member"), position=position)
    response = promote(clients["curator"], follow_up)
    assert errors(response) == ["member already has 2 questions in week 4."]
    assert week4.questions.count() == 2
    follow_up.refresh_from_db()
    assert follow_up.promoted_to is None


@pytest.mark.parametrize("state", [Round.State.ANSWERING, Round.State.CLOSED])
def test_a_next_round_past_taking_questions_refuses_it(follow_up, clients, state):
    Round.objects.filter(number=4).update(state=state)
    response = promote(clients["curator"], follow_up)
    assert errors(response) == ["Week 4 no longer takes questions."]
    assert not Question.objects.filter(round__number=4).exists()


def test_a_draft_next_round_takes_it(follow_up, clients):
    Round.objects.filter(number=4).update(state=Round.State.DRAFT)
    response = promote(clients["member"], follow_up)
    # The member cannot see the draft yet: back to the thread, which says where it went.
    assert response["Location"] == follow_up.get_absolute_url()
    assert Question.objects.filter(round__number=4, author=member("member")).count() == 1


def test_without_a_next_round_a_member_is_told_and_a_curator_creates_it(follow_up, clients):
    Round.objects.filter(number=4).delete()
    refused = promote(clients["member"], follow_up)
    assert errors(refused) == ["There is no week 4 yet; a curator can create it."]
    assert not Round.objects.filter(number=4).exists()

    done = promote(clients["curator"], follow_up)
    week4 = Round.objects.get(number=4)
    assert week4.state == Round.State.DRAFT
    question = week4.questions.get()
    assert done["Location"] == question.get_absolute_url()
    assert question.author == member("member")


def test_deleting_the_question_leaves_the_follow_up_to_be_promoted_again(follow_up, clients):
    promote(clients["member"], follow_up)
    question = Question.objects.get(round__number=4)
    question_url = question.get_absolute_url()
    thread_url = follow_up.answer.question.get_absolute_url()
    assert question_url in page(clients["visitor"], thread_url)  # cached now

    question.delete()
    follow_up.refresh_from_db()
    assert follow_up.promoted_to is None
    # The cached thread no longer links to the question that is gone.
    assert question_url not in page(clients["visitor"], thread_url)
    assert promote(clients["member"], follow_up).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.promoted_to.round.number == 4


def test_moving_the_question_to_another_week_shows_in_the_cached_thread(follow_up, clients):
    promote(clients["member"], follow_up)
    question = Question.objects.get(round__number=4)
    thread_url = follow_up.answer.question.get_absolute_url()
    assert "Moved to a week 4 question" in page(clients["visitor"], thread_url)  # cached now
    question.round = RoundFactory(number=5, state=Round.State.QUESTIONS_OPEN)
    question.save()  # as the admin moves it
    assert "Moved to a week 5 question" in page(clients["visitor"], thread_url)


def test_deleting_the_follow_up_keeps_the_question_and_updates_its_cached_page(follow_up, clients):
    promote(clients["member"], follow_up)
    question = Question.objects.get(round__number=4)
    assert "question-detail__origin" in page(clients["visitor"], question.get_absolute_url())
    FollowUp.objects.get().delete()
    assert Question.objects.filter(pk=question.pk).exists()
    assert "question-detail__origin" not in page(clients["visitor"], question.get_absolute_url())


def test_the_question_page_with_its_origin_costs_no_more_queries(follow_up, clients):
    plain = QuestionFactory(round=Round.objects.get(number=4), author=member("other"))
    promote(clients["member"], follow_up)
    promoted = Question.objects.get(round__number=4, author=member("member"))
    counts = []
    for question in (plain, promoted):
        for cache in caches.all():
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            page(clients["visitor"], question.get_absolute_url())
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Two promotions at the same moment, each request in its own thread and connection. SQLite
# serializes whole-database writes, so the races only exist on PostgreSQL.
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL")
def test_two_promotions_at_once_make_one_question(follow_up, clients):
    from .test_concurrency import at_once, statuses

    url = reverse("qa:follow-up-promote", args=[follow_up.pk])
    results = at_once(lambda: clients["member"].post(url), lambda: clients["curator"].post(url))
    assert statuses(results) == [302, 302]
    assert Question.objects.filter(round__number=4).count() == 1
    follow_up.refresh_from_db()
    assert follow_up.promoted_to.round.number == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL")
def test_two_curators_creating_the_next_round_at_once_make_one(follow_up, clients):
    from .test_concurrency import at_once, statuses

    Round.objects.filter(number=4).delete()
    other = FollowUpFactory(answer=follow_up.answer, author=member("other"))
    second_curator = sign_in("curator2", staff=True)
    results = at_once(
        lambda: clients["curator"].post(reverse("qa:follow-up-promote", args=[follow_up.pk])),
        lambda: second_curator.post(reverse("qa:follow-up-promote", args=[other.pk])),
    )
    assert statuses(results) == [302, 302]
    week4 = Round.objects.get(number=4)
    assert sorted(week4.questions.values_list("author__name", flat=True)) == ["member", "other"]
