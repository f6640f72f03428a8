"""Control characters and line breaks never get into stored names and text; nor does a
question longer than its limit."""

from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qa.models import Answer, Member, Question, Round
from qa.models.questions import QUESTION_MAX_LENGTH

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory
from .people import sign_in

pytestmark = pytest.mark.django_db

CONTROLS = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\x7f"


@pytest.fixture
def answer():
    question = QuestionFactory(round=RoundFactory(number=1))
    PickFactory(question=question)
    return AnswerFactory(question=question, body="로드 밸런싱")


def test_saving_drops_control_characters_and_keeps_tabs_and_newlines(answer):
    answer.body = f"앞{CONTROLS}뒤\n\t들여쓰기\r\n끝"
    answer.save()
    answer.refresh_from_db()
    assert answer.body == "앞뒤\n\t들여쓰기\n끝"
    assert "\x07" not in answer.body_html and "\x0b" not in answer.search_text


@pytest.mark.parametrize("character", ["\x07", "\x0b", "\x1b"])  # PostgreSQL stores no NUL
def test_a_control_character_stored_earlier_does_not_break_the_feed(client, answer, character):
    # Written before this rule, or by SQL: the feed must still be XML.
    Answer.objects.filter(pk=answer.pk).update(body_html=f"<p>종{character}료</p>")
    Member.objects.filter(pk=answer.author_id).update(name=f"b{character}ee")
    response = client.get("/feed/")
    assert response.status_code == 200
    [entry] = ElementTree.fromstring(response.content).findall(
        "{http://www.w3.org/2005/Atom}entry"
    )
    assert "<p>종료</p>" in entry.find("{http://www.w3.org/2005/Atom}summary").text


@pytest.mark.parametrize("name", ["b\nee", "bee\r", "b\tee", "b\x00ee", "b\u2028ee", "b\x85ee"])
def test_names_hold_no_line_breaks_or_controls(name):
    with pytest.raises(ValidationError) as refused:
        Member(name=name).full_clean()
    assert refused.value.error_dict["name"][0].code == "not_one_line"


def test_round_titles_and_question_labels_are_one_line():
    with pytest.raises(ValidationError) as refused:
        RoundFactory.build(number=7, title="4주차\n네트워크").full_clean()
    assert "title" in refused.value.error_dict
    question = QuestionFactory(label="1.")
    question.label = "1.\n2."
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    assert "label" in refused.value.error_dict


def test_the_admin_refuses_a_member_name_with_a_line_break(staff_client):
    response = staff_client.post("/admin/qa/member/add/", {"name": "sky\nhigh"})
    assert response.status_code == 200
    assert not Member.objects.exists()
    assert "not_one_line" not in response.content.decode()  # the message, not the code
    assert response.context["adminform"].form.errors["name"]


@pytest.mark.parametrize("path", ["/members/%00/", "/members/b%0Aee/", "/members/%7F/"])
def test_member_urls_with_control_characters_are_not_found(client, path):
    MemberFactory(name="bee")
    assert client.get(path).status_code == 404


def test_member_urls_still_take_slashes_and_korean(client):
    for name in ["클로이", "a/b"]:
        MemberFactory(name=name)
        assert client.get(Member.objects.get(name=name).get_absolute_url()).status_code == 200


def test_a_question_longer_than_the_limit_is_refused_with_its_length():
    round_ = RoundFactory(number=3, state=Round.State.QUESTIONS_OPEN)
    client = sign_in("sky")
    url = reverse("qa:question-add", args=[round_.number])
    response = client.post(url, {"label": "", "text": "가" * (QUESTION_MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert not Question.objects.exists()
    [error] = response.context["form"].errors["text"]
    assert str(QUESTION_MAX_LENGTH + 1) in error
    client.post(url, {"label": "", "text": "가" * QUESTION_MAX_LENGTH})
    assert Question.objects.get().text == "가" * QUESTION_MAX_LENGTH


def test_a_two_megabyte_question_is_refused_without_being_rendered(monkeypatch):
    round_ = RoundFactory(number=3, state=Round.State.QUESTIONS_OPEN)
    client = sign_in("sky")
    rendered = []
    monkeypatch.setattr("qa.models.writing.render_markdown", rendered.append)
    text = ">" * (2 * 1024 * 1024)
    response = client.post(reverse("qa:question-add", args=[round_.number]), {"text": text})
    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assert not Question.objects.exists() and rendered == []
