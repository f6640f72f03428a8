"""`make run` serves the sample week: the board shows every member, question, 👀 and answer."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from qa.models import Answer, Member, Pick, Question, Round

pytestmark = pytest.mark.django_db

SAMPLE_LISTS = [
    ("클로이", ["1.", "2.", "3."], "2."),
    ("bee", ["1.", "2.", "3."], "1."),
    ("choi", ["1.", "2.", "3."], "2."),
    ("sky", ["Q1.", "Q2.", "Q3.", "Q4."], "Q4."),
]


@pytest.fixture
def demo_round():
    call_command("load_demo", stdout=StringIO())
    return Round.objects.get(number=1)


def test_load_demo_loads_the_sample_once(demo_round):
    assert (Member.objects.count(), Question.objects.count()) == (4, 13)
    assert (Pick.objects.count(), Answer.objects.count()) == (4, 4)
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert Question.objects.count() == 13
    assert Round.objects.count() == 1


def test_demo_round_is_visible_and_is_the_home_board(client, demo_round):
    assert demo_round.is_visible()
    response = client.get("/")
    assert response.context["round"] == demo_round


def test_board_shows_the_samples_lists_in_order(client, demo_round):
    response = client.get("/rounds/1/")
    member_lists = response.context["member_lists"]
    shown = [
        (
            member.name,
            [q.label for q in questions],
            [q.label for q in questions if q.picks_on_board],
        )
        for member, questions in member_lists
    ]
    assert shown == [(name, labels, [picked]) for name, labels, picked in SAMPLE_LISTS]


def test_board_html_has_every_question_pick_and_answer(client, demo_round):
    html = client.get("/rounds/1/").content.decode()
    assert html.count('class="question question--picked"') == 4
    assert len(re.findall(r'<li class="question[ "]', html)) == 13
    for name in ["클로이", "bee", "choi", "sky"]:
        assert f"{name}님의 질문" in html
    assert html.count('<article class="answer"') == 4
    assert "VIP(Virtual IP)는 무엇인가?" in html
    assert "OSI 7계층에서 소프트웨어가 담당하는" in html


def test_bee_answer_table_is_a_real_table(client, demo_round):
    html = client.get("/rounds/1/").content.decode()
    start = html.index("<table>")
    table = html[start : html.index("</table>", start)]
    assert "<th>구분</th>" in table
    assert "<td>ip주소/포트번호</td>" in table
    assert "<td>복잡함 <br> 부하분배에 url패턴등을 이용하기도 함</td>" in table


def test_sample_answers_render_code_and_links(client, demo_round):
    html = client.get("/rounds/1/").content.decode()
    assert "<h3>응용 계층 (Application Layer):</h3>" in html
    assert "<pre><code>virtual IP address:" in html
    assert (
        '<a href="https://medium.com/@crazy_nuclei/l4-vs-l7-load-balancers-64e47610e2ef" '
        'rel="nofollow noopener">'
    ) in html
