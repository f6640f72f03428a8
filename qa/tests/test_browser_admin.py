"""Journey 4 in a real browser: a curator adds a round with every member's questions inline in
the admin, publishes it, and it becomes the board at /. Then how the admin's round pages and
the import form fit a laptop and a phone."""

from pathlib import Path

import pytest

from qa.models import Round

from .browsing import page_overflow, sign_in
from .conftest import VIEWPORTS
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
    assert rows.count() == 1  # one empty row to start with; "add another" for the rest
    for _ in QUESTIONS[1:]:
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


def curator(page, live_server):
    sign_in(page.context, live_server, UserFactory(is_staff=True, is_superuser=True, password=None))


def test_round_change_page_fits_a_laptop_and_its_questions_read_on_a_phone(
    page, live_server, shoot
):
    round_ = RoundFactory(number=2, title="2주차: 로드 밸런싱과 I/O")
    position = {}
    for name, label, text in QUESTIONS:
        position[name] = position.get(name, 0) + 1
        QuestionFactory(
            round=round_,
            author=MemberFactory(name=name),
            position=position[name],
            label=label,
            text=text,
        )
    curator(page, live_server)
    page.goto(live_server.url + f"/admin/qa/round/{round_.pk}/change/")
    assert page.locator("#site-name").inner_text() == "StudyBoard 관리"

    # The round's questions and no empty rows: "add another" is one click away.
    rows = page.locator("#questions-group tr.form-row:not(.empty-form)")
    assert rows.count() == len(QUESTIONS)
    assert page.locator("#questions-group tr.has_original").count() == len(QUESTIONS)
    assert page.locator("#questions-group .add-row a").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["desktop"]["width"]
    shoot(page, "round-change")

    page.set_viewport_size(VIEWPORTS["phone"])
    assert page_overflow(page) <= 0
    text = page.locator("#id_questions-3-text")
    text.scroll_into_view_if_needed()
    box = text.bounding_box()
    # The whole question box is on the screen, most of its width, in a readable size.
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS["phone"]["width"]
    assert box["width"] >= 300
    assert text.evaluate("box => parseFloat(getComputedStyle(box).fontSize)") >= 14
    assert text.input_value() == QUESTIONS[3][2]


DEMO = Path(__file__).resolve().parents[1] / "demo" / "week-01.md"


def test_import_form_is_aligned_and_its_preview_shows_names_as_written(
    page, live_server, shoot
):
    curator(page, live_server)
    page.goto(live_server.url + "/admin/qa/round/import/")
    # Each field sits right of its label, in one column, as on the admin's own forms.
    fields = ["id_number", "id_title", "id_answerer", "id_picker", "id_marker", "id_state"]
    lefts = {page.locator(f"#{field}").bounding_box()["x"] for field in fields}
    assert len(lefts) == 1
    label = page.locator("label[for=id_number]").bounding_box()
    assert label["x"] + label["width"] <= lefts.pop()
    shoot(page, "import-form")

    page.locator("#id_file").set_input_files(DEMO)
    page.locator("#id_answerer").fill("sky")
    page.locator("input[type=submit]").click()
    page.wait_for_selector(".import-preview")
    # innerText shows the text as drawn, after any text-transform of Django's caption style.
    captions = page.locator(".import-preview caption").all_inner_texts()
    assert [caption.split(" ")[0] for caption in captions[1:5]] == ["클로이", "bee", "choi", "sky"]
    shoot(page, "import-preview")
