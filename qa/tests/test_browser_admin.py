"""Journey 4 in a real browser: a curator adds a round with every member's questions inline in
the admin, publishes it, and it becomes the board at /."""

import pytest

from qa.models import Round

from .browsing import sign_in
from .factories import MemberFactory, QuestionFactory, RoundFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTIONS = [
    ("bee", "1.", "L4 Load Balancing과 L7 Load Balancing의 차이"),
    ("bee", "2.", "서버 이중화를 하는 이유"),
    ("sky", "Q1.", "Blocking I/O 가 리소스를 낭비하는 이유는 무엇인가요"),
    ("sky", "Q2.", "Async Non-block 시스템에서 Block이 생기는 경우는 무엇이 있을까요"),
    ("choi", "1.", "VIP(Virtual IP)는 무엇인가?"),
]


def choose_member(row, name):
    """Pick a member in the inline's autocomplete (select2), the way a curator does."""
    row.locator(".field-author .select2-selection").click()
    row.page.locator(".select2-container--open .select2-search__field").fill(name)
    row.page.locator(".select2-results__option", has_text=name).click()


def test_curator_adds_a_round_inline_publishes_it_and_it_becomes_the_board(
    page, live_server, shoot
):
    last_week = RoundFactory(number=1, title="1주차", state=Round.State.CLOSED)
    QuestionFactory(round=last_week, author=MemberFactory(name="bee"), position=1)
    for name in ["sky", "choi"]:
        MemberFactory(name=name)
    sign_in(page.context, live_server, UserFactory(is_staff=True, is_superuser=True, password=None))

    page.goto(live_server.url + "/admin/qa/round/add/")
    page.locator("#id_number").fill("2")
    page.locator("#id_title").fill("2주차: 로드 밸런싱과 I/O")
    rows = page.locator("#questions-group tr.form-row:not(.empty-form)")
    assert rows.count() == 4  # the inline's empty rows; the fifth question needs one more
    page.locator("#questions-group .add-row a").click()
    assert rows.count() == len(QUESTIONS)
    position = {}
    for i, (name, label, text) in enumerate(QUESTIONS):
        position[name] = position.get(name, 0) + 1
        row = page.locator(f"#questions-{i}")
        choose_member(row, name)
        row.locator(f"#id_questions-{i}-position").fill(str(position[name]))
        row.locator(f"#id_questions-{i}-label").fill(label)
        row.locator(f"#id_questions-{i}-text").fill(text)
    shoot(page, "round-form")
    page.locator("input[name=_save]").last.click()  # save_on_top: the one below the rows
    page.wait_for_url("**/admin/qa/round/")
    new_round = Round.objects.get(number=2)
    assert new_round.state == Round.State.DRAFT
    assert new_round.questions.count() == len(QUESTIONS)

    # A draft is the curators' alone: the board still shows last week.
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "1주차"

    page.goto(live_server.url + "/admin/qa/round/")
    page.locator(f"input[name=_selected_action][value='{new_round.pk}']").check()
    page.locator("select[name=action]").select_option("publish")
    with page.expect_navigation():
        page.locator("button[name=index]").click()
    assert "질문 받는 중" in page.locator(".messagelist").inner_text()
    shoot(page, "published")
    new_round.refresh_from_db()
    assert new_round.state == Round.State.QUESTIONS_OPEN

    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "2주차: 로드 밸런싱과 I/O"
    lists = page.locator(".member-list")
    assert lists.locator(".member-list__name").all_inner_texts() == ["bee", "sky", "choi"]
    assert [lists.nth(i).locator("li.question").count() for i in range(3)] == [2, 2, 1]
    assert "Async Non-block" in lists.nth(1).locator("li.question").nth(1).inner_text()
    shoot(page, "board")
