"""The board's deadline and emoji shortcodes in a real browser, on a laptop and a phone."""

import pytest

from qa.models import Round

from .conftest import VIEWPORTS, kst
from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_board_counts_down_to_the_deadline_and_shows_emoji(page, live_server, shoot, clock):
    round_ = RoundFactory(
        number=1, title="1주차 네트워크", state=Round.State.ANSWERING,
        questions_due=kst(9, 23, 59), answers_due=kst(13, 23, 59),
    )  # fmt: skip
    bee = MemberFactory(name="bee")
    question = QuestionFactory(round=round_, text=":pushpin: TCP와 UDP의 차이는?")
    PickFactory(question=question, picker=bee)
    AnswerFactory(
        question=question, author=bee, body=":white_check_mark: TCP는 신뢰성을 보장한다\n\n`:smile:`는 코드 그대로"
    )
    clock.now = kst(12, 22)

    page.goto(live_server.url + "/rounds/1/")
    deadline = page.locator(".round-header__deadline")
    assert deadline.inner_text() == "답변 마감 2026년 12월 13일 11:59 오후 (KST) · 1일 1시간 남음"
    assert page.locator("li.question .question__text").inner_text() == "📌 TCP와 UDP의 차이는?"
    assert page.locator(".answer p").first.inner_text() == "✅ TCP는 신뢰성을 보장한다"
    assert page.locator(".answer code").inner_text() == ":smile:"
    shoot(page, "board")

    # On a phone the line wraps inside the header; the page never scrolls sideways.
    page.set_viewport_size(VIEWPORTS["phone"])
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    box = deadline.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS["phone"]["width"]
