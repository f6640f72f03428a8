"""/bank/: every past question, filtered by topic, round, member and answer count, in pages."""

import pytest
from django.test import Client
from django.urls import reverse

from qa.models import Round

from .factories import AnswerFactory, MemberFactory, QuestionFactory, RoundFactory
from .people import sign_in
from .studying import closed_round_with_answers, default_topics

pytestmark = pytest.mark.django_db

BANK = reverse("qa:bank")


def listed(response):
    return [question.pk for question in response.context["page"]]


@pytest.fixture
def bank():
    topics = default_topics()
    bee, sky = MemberFactory(name="bee"), MemberFactory(name="sky")
    first = RoundFactory(number=1, state=Round.State.CLOSED)
    second = RoundFactory(number=2, state=Round.State.ANSWERING)
    draft = RoundFactory(number=3, state=Round.State.DRAFT)
    questions = {
        "tcp": QuestionFactory(round=first, author=bee, position=1, text="TCP와 UDP"),
        "thread": QuestionFactory(round=first, author=sky, position=1, text="스레드"),
        "index": QuestionFactory(round=second, author=bee, position=1, text="인덱스"),
        "draft": QuestionFactory(round=draft, author=bee, position=1, text="초안"),
    }
    questions["tcp"].topics.set([topics["network"]])
    questions["thread"].topics.set([topics["os"]])
    questions["index"].topics.set([topics["database"], topics["data-structures"]])
    for n in range(3):
        AnswerFactory(question=questions["tcp"], author=MemberFactory(name=f"a{n}"))
    AnswerFactory(question=questions["index"], author=sky)
    return {"topics": topics, **questions}


def test_visitors_see_every_visible_question_newest_round_first(bank):
    response = Client().get(BANK)
    assert response.status_code == 200
    assert listed(response) == [bank["index"].pk, bank["tcp"].pk, bank["thread"].pk]
    page = response.content.decode()
    assert "데이터베이스" in page and "답변 3개" in page


def test_curators_see_drafts_too(bank):
    assert bank["draft"].pk in listed(sign_in("curator", staff=True).get(BANK))


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"topic": "network"}, ["tcp"]),
        ({"topic": "data-structures"}, ["index"]),
        ({"round": 1}, ["tcp", "thread"]),
        ({"member": "sky"}, ["thread"]),
        ({"answers": "0"}, ["thread"]),
        ({"answers": "1"}, ["index", "tcp"]),
        ({"answers": "3"}, ["tcp"]),
        ({"member": "bee", "answers": "1", "round": 2}, ["index"]),
        ({"topic": "security"}, []),
    ],
)
def test_filters(bank, filters, expected):
    response = Client().get(BANK, filters)
    assert listed(response) == [bank[name].pk for name in expected]


@pytest.mark.parametrize("filters", [{"topic": "nope"}, {"round": "x"}, {"answers": "7"}])
def test_an_unknown_filter_says_so_and_lists_everything(bank, filters):
    response = Client().get(BANK, filters)
    assert response.context["form"].errors
    assert len(listed(response)) == 3


def test_the_bank_is_paged():
    closed_round_with_answers(questions=60, answers_each=0)
    first = Client().get(BANK)
    assert len(listed(first)) == 50
    assert len(listed(Client().get(BANK, {"page": 2}))) == 10
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize("rounds", [1, 10])
def test_the_bank_takes_the_same_queries_at_any_size(django_assert_max_num_queries, rounds):
    topics = list(default_topics().values())
    for n in range(rounds):
        _round, questions = closed_round_with_answers(questions=6, answers_each=2)
        for i, question in enumerate(questions):
            question.topics.set(topics[i % 3 : i % 3 + 2])
    # The count, the topic and member choices of the filters, the page of questions with
    # their answer counts, their topics.
    with django_assert_max_num_queries(5):
        response = Client().get(BANK)
    assert len(listed(response)) == min(50, 6 * rounds)
    with django_assert_max_num_queries(6):  # and the topic looked up by its slug
        Client().get(BANK, {"topic": "network", "answers": "1"})
