from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse

from qa.models import Round

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db


def test_home_without_rounds_explains_how_to_add_one(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "qa/home_empty.html" in [t.name for t in response.templates]
    assert reverse("admin:qa_round_add").encode() in response.content
    assert b"import_round" in response.content


def test_home_shows_the_latest_visible_round(client):
    RoundFactory(number=1, title="1주차 네트워크", state=Round.State.CLOSED)
    RoundFactory(number=2, title="2주차 운영체제", state=Round.State.ANSWERING)
    RoundFactory(number=3, title="3주차 초안", state=Round.State.DRAFT)
    response = client.get("/")
    assert response.context["round"].number == 2
    assert "2주차 운영체제" in response.content.decode()
    assert "3주차 초안" not in response.content.decode()


def test_drafts_are_hidden_from_visitors_but_shown_to_curators(client, staff_client):
    RoundFactory(number=5, state=Round.State.DRAFT)
    assert client.get("/rounds/5/").status_code == 404
    assert b"/rounds/5/" not in client.get("/rounds/").content
    assert staff_client.get("/rounds/5/").status_code == 200


def test_unknown_round_and_question_are_404(client):
    assert client.get("/rounds/99/").status_code == 404
    assert client.get("/questions/99/").status_code == 404


def test_question_of_a_draft_round_is_hidden(client):
    question = QuestionFactory(round=RoundFactory(state=Round.State.DRAFT))
    assert client.get(question.get_absolute_url()).status_code == 404


def test_round_list_shows_counts_newest_first(client, make_round):
    make_round(members=2, questions_each=3, number=1)
    make_round(members=4, questions_each=4, number=2)
    response = client.get("/rounds/")
    rounds = list(response.context["rounds"])
    assert [r.number for r in rounds] == [2, 1]
    assert [(r.question_count, r.pick_count, r.answer_count) for r in rounds] == [
        (16, 4, 4),
        (6, 2, 2),
    ]


def test_board_shows_lists_picks_and_rendered_answers(client):
    round_ = RoundFactory(number=4, title="4주차")
    bee, sky = MemberFactory(name="bee"), MemberFactory(name="sky")
    QuestionFactory(round=round_, author=bee, position=1, label="1.", text="서버 이중화를 하는 이유")
    picked = QuestionFactory(round=round_, author=sky, position=1, label="Q1.", text="VIP란?")
    PickFactory(question=picked, picker=bee)
    AnswerFactory(question=picked, author=bee, body="|a|b|\n|--|--|\n|1|2 <br> 3|\n")
    html = client.get(round_.get_absolute_url()).content.decode()
    assert "서버 이중화를 하는 이유" in html
    assert '<span class="question__label">Q1.</span>' in html
    assert "sky님의 질문" in html
    assert '<span class="pick__by">bee</span>' in html
    assert "<td>2 <br> 3</td>" in html


def test_question_page_lists_all_answers(client):
    question = QuestionFactory(text="L4와 L7의 차이")
    PickFactory(question=question)
    AnswerFactory(question=question, author=MemberFactory(name="bee"), body="첫 답변")
    AnswerFactory(question=question, author=MemberFactory(name="choi"), body="둘째 답변")
    response = client.get(question.get_absolute_url())
    html = response.content.decode()
    assert html.index("첫 답변") < html.index("둘째 답변")
    assert "운영진" in html  # the curators' pick


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_healthz_is_503_when_the_database_does_not(client):
    with mock.patch("qa.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_pages_refuse_post(client):
    assert client.post("/").status_code == 405
    assert client.post("/rounds/").status_code == 405


def test_english_is_available(client):
    RoundFactory(number=1)
    question = QuestionFactory(round=Round.objects.get(number=1), author=MemberFactory(name="sky"))
    PickFactory(question=question)
    korean = client.get("/rounds/1/").content.decode()
    english = client.get("/rounds/1/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "sky님의 질문" in korean and '<html lang="ko">' in korean
    assert "sky's question" in english and '<html lang="en">' in english
