"""Similar past questions on the question form, found through the search index."""

import pytest
from django.urls import reverse

from qa.models import Round
from qa.similar import similar_questions, telling_words

from .factories import MemberFactory, QuestionFactory, RoundFactory
from .people import sign_in
from .studying import default_topics

pytestmark = pytest.mark.django_db


@pytest.fixture
def past():
    """Two earlier rounds of questions, bee's and sky's among them."""
    bee, sky = MemberFactory(name="bee"), MemberFactory(name="sky")
    third = RoundFactory(number=3, state=Round.State.CLOSED)
    fourth = RoundFactory(number=4, state=Round.State.CLOSED)
    return {
        "balancing": QuestionFactory(round=third, author=bee, position=1,
                                     text="로드밸런싱은 왜 필요하고 L4와 L7은 어떻게 다른가요?"),
        "process": QuestionFactory(round=third, author=sky, position=1,
                                   text="프로세스와 스레드의 차이를 설명해 주세요."),
        "index": QuestionFactory(round=fourth, author=bee, position=1,
                                 text="What is a database index, and when does it slow writes?"),
        "tcp": QuestionFactory(round=fourth, author=sky, position=1,
                               text="TCP와 UDP의 차이는 무엇인가요?"),
    }  # fmt: skip


def found(text, rounds=None, **options):
    return similar_questions(text, rounds or Round.objects.all(), **options)


def test_telling_words_drop_particles_and_question_words():
    assert telling_words("프로세스와 스레드의 차이는 무엇인가요?") == ["프로세스", "스레드"]
    assert telling_words("What is the difference between TCP and UDP?") == ["tcp", "udp"]


def test_a_korean_draft_finds_a_question_worded_otherwise(past):
    # Other particles and spacing: 로드 밸런싱이 / 로드밸런싱은, L7 / L7은.
    assert found("로드 밸런싱이 필요한 이유와 L7 로드밸런서의 장점") == [past["balancing"]]
    assert found("스레드와 프로세스는 어떻게 다른가요") == [past["process"]]


def test_an_english_draft_finds_english_questions(past):
    assert found("How does an index on a database table work?") == [past["index"]]


def test_a_mixed_draft_finds_the_korean_question(past):
    assert found("UDP 대신 TCP를 쓰는 이유") == [past["tcp"]]


def test_one_shared_word_of_many_is_not_similar(past):
    assert found("스레드 풀의 크기는 어떻게 정하고 컨텍스트 스위칭 비용은?") == []


def test_the_question_being_edited_is_not_similar_to_itself(past):
    text = past["tcp"].text
    assert found(text) == [past["tcp"]]
    assert found(text, exclude=past["tcp"].pk) == []


def test_only_rounds_the_reader_may_see_are_searched(past):
    draft = RoundFactory(number=9, state=Round.State.DRAFT)
    hidden = QuestionFactory(round=draft, text="TCP와 UDP의 차이")
    visible = Round.objects.visible()
    assert hidden not in found("TCP와 UDP", visible)
    assert hidden in found("TCP와 UDP", Round.objects.all())


def test_the_most_alike_come_first_and_name_how_many_words_they_share(past):
    QuestionFactory(round=past["tcp"].round, author=past["balancing"].author, position=2,
                    text="TCP 흐름 제어와 혼잡 제어")  # fmt: skip
    results = found("TCP와 UDP의 흐름 제어")
    assert results[0].shared == 3 and results[0].text == "TCP 흐름 제어와 혼잡 제어"
    assert results[1] == past["tcp"] and results[1].shared == 2


def test_the_form_fragment_says_whose_question_it_is_like(past):
    default_topics()
    client = sign_in("moon")
    response = client.get(reverse("qa:question-similar"), {"text": "TCP와 UDP의 차이점은?"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "4주차 sky님의 질문과 비슷합니다" in page
    assert past["tcp"].get_absolute_url() in page
    assert 'data-topic-id="' in page and "네트워크" in page  # the topics it suggests


def test_the_fragment_escapes_question_text():
    QuestionFactory(round=RoundFactory(state=Round.State.CLOSED),
                    text="<script>alert(1)</script> TCP와 UDP의 차이")  # fmt: skip
    page = sign_in("moon").get(reverse("qa:question-similar"), {"text": "TCP UDP"}).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_an_empty_draft_asks_the_database_nothing(django_assert_num_queries):
    client = sign_in("moon")
    with django_assert_num_queries(2):  # the session and its account
        response = client.get(reverse("qa:question-similar"), {"text": "  "})
    assert response.status_code == 200 and b"<li>" not in response.content


def test_the_question_form_has_the_similar_questions_box():
    round_ = RoundFactory(state=Round.State.QUESTIONS_OPEN)
    page = sign_in("bee").get(reverse("qa:question-add", args=[round_.number])).content.decode()
    assert f'data-similar="{reverse("qa:question-similar")}"' in page
    assert "similar-questions.js" in page


@pytest.mark.parametrize("exclude", ["abc", "-1", "", "٣"])
def test_a_strange_exclude_is_ignored(past, exclude):
    response = sign_in("moon").get(
        reverse("qa:question-similar"), {"text": "TCP와 UDP", "exclude": exclude}
    )
    assert response.status_code == 200
    assert past["tcp"].get_absolute_url() in response.content.decode()
