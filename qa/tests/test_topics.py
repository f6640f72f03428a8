"""Topics: suggested from Korean and English question texts, set by authors, kept unique."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from qa.models import QuestionTopic, Round, Topic
from qa.models.topics import suggest

from .factories import QuestionFactory, RoundFactory
from .people import sign_in
from .studying import default_topics

pytestmark = pytest.mark.django_db


def suggested(text):
    return [topic.slug for topic in Topic.objects.suggested_for(text)]


@pytest.fixture
def topics():
    return default_topics()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("TCP와 UDP의 차이를 설명해 주세요.", ["network"]),
        ("프로세스와 스레드의 차이는 무엇인가요?", ["os"]),
        ("교착 상태(데드락)가 생기는 네 가지 조건은?", ["os"]),
        ("데이터베이스 인덱스는 어떻게 동작하나요? B-Tree를 쓰는 이유는?", ["database"]),
        ("로드 밸런싱이 필요한 이유", ["network"]),
        ("해시 테이블에서 충돌을 해결하는 방법", ["data-structures"]),
        ("XSS와 CSRF 공격을 막는 방법", ["security"]),
        ("가비지 컬렉션은 언제 일어나나요?", ["languages"]),
        ("이진 탐색의 시간 복잡도는?", ["algorithms"]),
    ],
)
def test_korean_questions_suggest_their_topics(topics, text, expected):
    assert suggested(text)[: len(expected)] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("What happens in the TCP 3-way handshake?", ["network"]),
        ("Explain the difference between a process and a thread.", ["os"]),
        ("How does a database index speed up a query?", ["database"]),
        ("How do browsers use cookies and sessions?", ["web"]),
        ("What is a deadlock, and how do you prevent it?", ["os"]),
    ],
)
def test_english_questions_suggest_their_topics(topics, text, expected):
    assert suggested(text)[: len(expected)] == expected


def test_english_keywords_match_at_the_start_of_words_only(topics):
    # "os" is not in "cost", "ip" not in "tips", "db" not in "feedback"
    assert suggested("What does the cost of tips in feedback depend on?") == []
    assert "os" in suggested("Which OS schedules threads preemptively?")


def test_a_text_of_many_topics_suggests_the_best_matched_first_and_three_at_most(topics):
    text = "TCP 소켓, HTTP 쿠키, DNS 조회, 프로세스, SQL 인덱스, 해시 테이블에 대해"
    slugs = suggested(text)
    assert slugs[0] == "network" and len(slugs) == 3


def test_nothing_is_suggested_for_a_text_without_keywords(topics):
    assert suggested("자기소개를 해 주세요.") == []


def test_keywords_are_the_admins_to_edit(topics):
    topics["web"].keywords += ", 웹소켓 폴링"
    topics["web"].save()
    assert "web" in suggested("롱 폴링과 웹소켓 폴링의 차이")
    assert suggest([topics["web"]], "웹소켓 폴링") == [topics["web"]]


def test_a_new_question_without_chosen_topics_gets_the_suggested_ones(topics):
    round_ = RoundFactory(state=Round.State.QUESTIONS_OPEN)
    client = sign_in("bee")
    response = client.post(
        reverse("qa:question-add", args=[round_.number]),
        {"label": "", "text": "TCP 혼잡 제어는 어떻게 동작하나요?"},
    )
    assert response.status_code == 302
    question = round_.questions.get()
    assert [t.slug for t in question.topics.all()] == ["network"]


def test_topics_the_author_chooses_are_kept(topics):
    round_ = RoundFactory(state=Round.State.QUESTIONS_OPEN)
    client = sign_in("bee")
    client.post(
        reverse("qa:question-add", args=[round_.number]),
        {"label": "", "text": "TCP 혼잡 제어", "topics": [topics["os"].pk, topics["web"].pk]},
    )
    question = round_.questions.get()
    assert {t.slug for t in question.topics.all()} == {"os", "web"}

    # Editing shows them checked, and keeps what is chosen then.
    edit = reverse("qa:question-edit", args=[round_.number, question.pk])
    form = client.get(edit).context["form"]
    assert set(form.initial["topics"]) == {topics["os"], topics["web"]}
    client.post(edit, {"label": "1.", "text": "TCP 혼잡 제어", "topics": [topics["network"].pk]})
    assert [t.slug for t in question.topics.all()] == ["network"]


def test_the_question_form_lists_topics_as_checkboxes(topics):
    round_ = RoundFactory(state=Round.State.QUESTIONS_OPEN)
    page = sign_in("bee").get(reverse("qa:question-add", args=[round_.number])).content.decode()
    assert 'type="checkbox" name="topics"' in page
    assert "네트워크" in page


def test_a_question_has_a_topic_once(topics):
    question = QuestionFactory()
    QuestionTopic.objects.create(question=question, topic=topics["web"])
    with pytest.raises(IntegrityError):
        QuestionTopic.objects.create(question=question, topic=topics["web"])


@pytest.mark.parametrize("field", ["name", "slug"])
def test_topic_names_and_slugs_are_unique(topics, field):
    other = {"name": "새 주제", "slug": "new"}
    other[field] = getattr(topics["web"], field)
    with pytest.raises(IntegrityError):
        Topic.objects.create(**other)


def test_a_topic_has_a_name():
    with pytest.raises(IntegrityError):
        Topic.objects.create(name="", slug="blank")


def test_curators_edit_a_questions_topics_in_the_admin(topics, staff_client):
    question = QuestionFactory(text="TCP")
    question.topics.set([topics["os"]])
    url = reverse("admin:qa_question_change", args=[question.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert page.context["adminform"].form.initial["topics"] == [topics["os"]]
    management = {
        f"{prefix}-{name}": value
        for prefix in ["picks", "answers"]
        for name, value in [("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"),
                            ("MIN_NUM_FORMS", "0"), ("MAX_NUM_FORMS", "1000")]
    }  # fmt: skip
    data = {
        "round": question.round.pk, "author": question.author.pk, "position": question.position,
        "label": question.label, "text": question.text,
        "topics": [topics["network"].pk, topics["security"].pk], **management,
    }  # fmt: skip
    response = staff_client.post(url, data)
    assert response.status_code == 302
    assert {t.slug for t in question.topics.all()} == {"network", "security"}


@pytest.mark.parametrize("model", ["topic", "reviewcard", "mockinterview"])
def test_study_admin_pages_load(topics, staff_client, model):
    client = staff_client
    assert client.get(reverse(f"admin:qa_{model}_changelist")).status_code == 200


def test_suggest_topics_fills_questions_without_topics_once(topics):
    from io import StringIO

    from django.core.management import call_command

    tcp = QuestionFactory(text="TCP와 UDP의 차이")
    chosen = QuestionFactory(text="프로세스와 스레드")
    chosen.topics.set([topics["web"]])
    unknown = QuestionFactory(text="자기소개를 해 주세요")
    out = StringIO()
    call_command("suggest_topics", "--dry-run", stdout=out)
    assert "1" in out.getvalue() and not QuestionTopic.objects.filter(question=tcp).exists()
    call_command("suggest_topics", stdout=StringIO())
    assert [t.slug for t in tcp.topics.all()] == ["network"]
    assert [t.slug for t in chosen.topics.all()] == ["web"]
    assert not unknown.topics.exists()
    call_command("suggest_topics", stdout=StringIO())
    assert QuestionTopic.objects.count() == 2


def test_suggest_topics_adds_the_defaults_to_a_board_without_topics_only():
    from io import StringIO

    from django.core.management import call_command

    tcp = QuestionFactory(text="TCP와 UDP의 차이")
    call_command("suggest_topics", "--dry-run", stdout=StringIO())
    assert not Topic.objects.exists()  # a dry run adds nothing
    call_command("suggest_topics", stdout=StringIO())
    assert Topic.objects.count() == 8
    assert [t.name for t in tcp.topics.all()] == ["네트워크"]

    Topic.objects.exclude(slug="network").delete()
    call_command("suggest_topics", stdout=StringIO())
    assert list(Topic.objects.values_list("slug", flat=True)) == ["network"]
