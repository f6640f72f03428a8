import pytest
from django.test import Client

from qa.member_history import ROUNDS_PER_PAGE
from qa.models import Member, Round

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory
from .people import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def chloe_weeks():
    """클로이 over two published weeks and a draft: questions, picks given, answers written."""
    chloe, sky, bee = (MemberFactory(name=n) for n in ["클로이", "sky", "bee"])
    week1 = RoundFactory(number=1, title="1주차 네트워크", state=Round.State.CLOSED)
    week2 = RoundFactory(number=2, title="2주차 운영체제", state=Round.State.ANSWERING)
    draft = RoundFactory(number=3, title="3주차 초안", state=Round.State.DRAFT)
    mine = QuestionFactory(round=week1, author=chloe, position=1, text="로드 밸런싱이 필요한 이유")
    QuestionFactory(round=week1, author=chloe, position=2, text="blocking과 synchronous")
    QuestionFactory(round=week2, author=chloe, position=1, text="데드락의 조건")
    QuestionFactory(round=draft, author=chloe, position=1, text="초안 질문")
    PickFactory(question=mine, picker=bee)
    AnswerFactory(question=mine, author=bee, body="bee의 답")
    skys = QuestionFactory(round=week1, author=sky, position=1, text="VIP란?")
    PickFactory(question=skys, picker=chloe)
    AnswerFactory(question=skys, author=chloe, body="가상 IP")
    bees = QuestionFactory(round=week2, author=bee, position=1, text="페이지 교체")
    PickFactory(question=bees, picker=chloe)
    AnswerFactory(question=bees, author=chloe, body="LRU로 **교체**")
    drafted = QuestionFactory(round=draft, author=bee, position=1, text="초안의 bee 질문")
    PickFactory(question=drafted, picker=chloe)
    AnswerFactory(question=drafted, author=chloe, body="초안에 쓴 답")
    return chloe


def test_member_url_takes_korean_names(chloe_weeks):
    assert chloe_weeks.get_absolute_url() == "/members/%ED%81%B4%EB%A1%9C%EC%9D%B4/"


def test_member_page_lists_questions_picks_and_answers_newest_round_first(client, chloe_weeks):
    response = client.get(chloe_weeks.get_absolute_url())
    assert response.status_code == 200
    context = response.context
    assert [(q.round.number, q.text) for q in context["questions"]] == [
        (2, "데드락의 조건"),
        (1, "로드 밸런싱이 필요한 이유"),
        (1, "blocking과 synchronous"),
    ]  # the draft's question is for curators
    counts = [(q.pick_count, q.answer_count) for q in context["questions"]]
    assert counts == [(0, 0), (1, 1), (0, 0)]
    assert [p.question.text for p in context["picks"]] == ["페이지 교체", "VIP란?"]
    assert [a.body for a in context["answers"]] == ["LRU로 **교체**", "가상 IP"]
    html = response.content.decode()
    assert "<h1>클로이</h1>" in html
    assert "LRU로 교체" in html  # answers are shown as their plain text
    assert 'href="/members/sky/"' in html and 'href="/members/bee/"' in html


DRAFT_TEXTS = ["3주차 초안", "초안 질문", "초안의 bee 질문", "초안에 쓴 답"]


@pytest.mark.parametrize("reader", ["visitor", "member"])
def test_draft_rounds_stay_off_member_pages_for_all_but_curators(chloe_weeks, reader):
    client = Client() if reader == "visitor" else sign_in("reader")
    response = client.get(chloe_weeks.get_absolute_url())
    counted = response.context["counted"]
    counts = [counted.question_count, counted.pick_count, counted.answer_count]
    assert counts == [3, 2, 2]
    html = response.content.decode()
    assert [text for text in DRAFT_TEXTS if text in html] == []
    assert 'href="/rounds/3/"' not in html


def test_curators_see_draft_rounds_on_member_pages(staff_client, chloe_weeks):
    response = staff_client.get(chloe_weeks.get_absolute_url())
    counted = response.context["counted"]
    counts = [counted.question_count, counted.pick_count, counted.answer_count]
    assert counts == [4, 3, 3]
    html = response.content.decode()
    assert [text for text in DRAFT_TEXTS if text in html] == DRAFT_TEXTS


def test_member_with_nothing_yet_has_an_empty_page(client):
    response = client.get(MemberFactory(name="새 멤버").get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["questions"]) == list(response.context["answers"]) == []


def test_unknown_member_is_404(client):
    assert client.get("/members/nobody/").status_code == 404


def test_names_with_a_slash_still_have_a_page(client):
    member = MemberFactory(name="bee/choi")
    assert client.get(member.get_absolute_url()).status_code == 200


def test_names_link_to_member_pages_on_the_board_and_question_page(client, chloe_weeks):
    board = client.get("/rounds/1/").content.decode()
    assert '<a href="/members/sky/">sky</a>' in board  # sky's list
    assert '<a class="answer__author" href="/members/bee/">bee</a>' in board
    question = Member.objects.get(name="sky").questions.get()
    page = client.get(question.get_absolute_url()).content.decode()
    assert '<a href="/members/sky/">sky님의 질문</a>' in page
    assert f'<a class="answer__author" href="{chloe_weeks.get_absolute_url()}">클로이</a>' in page


def test_long_member_lists_are_paged_by_round_each_on_its_own(client):
    chloe, sky = MemberFactory(name="클로이"), MemberFactory(name="sky")
    for number in range(1, 26):
        round_ = RoundFactory(number=number)
        QuestionFactory(round=round_, author=chloe, position=1, text=f"{number}주차 질문")
        picked = QuestionFactory(round=round_, author=sky, position=1)
        PickFactory(question=picked, picker=chloe)
    first = client.get(chloe.get_absolute_url())
    per_page = ROUNDS_PER_PAGE["questions"]
    assert [q.round.number for q in first.context["questions"]] == list(range(25, 25 - per_page, -1))
    html = first.content.decode()
    assert "질문 25개" in html  # the count is of all of them, not of one page
    assert f'href="?questions_before={26 - per_page}#questions-heading"' in html
    assert f'href="?picks_before={26 - ROUNDS_PER_PAGE["picks"]}#picks-heading"' in html
    assert "answers_before=" not in html  # no answers, so nothing to page
    assert "_after=" not in html  # the newest page has nothing newer

    second = client.get(chloe.get_absolute_url(), {"questions_before": 6, "picks_before": 11})
    assert [q.round.number for q in second.context["questions"]] == [5, 4, 3, 2, 1]
    assert [p.question.round.number for p in second.context["picks"]] == list(range(10, 0, -1))
    second_html = second.content.decode()
    assert "questions_before=1" not in second_html  # the oldest page has nothing older
    # Paging one list keeps the other list's page in the links.
    assert 'href="?picks_before=11&amp;questions_after=5#questions-heading"' in second_html

    newer = client.get(chloe.get_absolute_url(), {"questions_after": 5})
    assert [q.round.number for q in newer.context["questions"]] == [10, 9, 8, 7, 6]
    assert 'href="?questions_after=10#questions-heading"' in newer.content.decode()
    assert 'href="?questions_before=6#questions-heading"' in newer.content.decode()


def test_member_pages_page_by_round_and_skip_rounds_without_the_members_items(client):
    sky = MemberFactory(name="sky")
    rounds = [RoundFactory(number=number) for number in range(1, 31)]
    for round_ in rounds[::3]:  # rounds 1, 4, 7, ...: two questions each
        QuestionFactory(round=round_, author=sky, position=1)
        QuestionFactory(round=round_, author=sky, position=2)
    RoundFactory(number=31, state="draft")
    html_page = client.get(sky.get_absolute_url(), {"questions_before": "28"})
    numbers = [q.round.number for q in html_page.context["questions"]]
    assert numbers == [25, 25, 22, 22, 19, 19, 16, 16, 13, 13]
    junk = client.get(sky.get_absolute_url(), {"questions_before": "x", "utm": "y"})
    assert junk.status_code == 200
    main = junk.content.decode().split('<main id="main"')[1]
    assert "utm" not in main  # links are built from what is understood


def test_member_page_counts_say_what_they_count(client, chloe_weeks):
    html = client.get(chloe_weeks.get_absolute_url()).content.decode()
    counts = html.split('<ul class="member-counts">')[1].split("</ul>")[0]
    assert ">질문 3개</a>" in counts
    assert '<span aria-hidden="true">👀</span> 고른 질문 2개</a>' in counts
    assert ">답변 2개</a>" in counts
    assert "클로이님이 올린 질문" in html and "클로이님이 고른 질문" in html
    assert "클로이님이 쓴 답변" in html
