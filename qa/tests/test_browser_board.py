"""Journey 1 in a real browser: a visitor reads the demo board on a laptop and a phone."""

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_reads_the_board_and_a_picked_question(page, live_server, shoot):
    call_command("load_demo", stdout=StringIO())

    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() != ""
    assert page.locator(".member-list").count() == 4
    assert page.locator("li.question").count() == 13
    assert page.locator("li.question--picked").count() == 4
    table = page.locator(".answer table")
    assert table.count() == 1
    assert table.locator("th").first.inner_text() == "구분"
    assert page.locator(".answer pre").count() >= 2
    shoot(page, "board")

    # Tables and code scroll inside the answer; the page itself never scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator(".picked-question a", has_text="질문 보기").first.click()
    page.wait_for_url("**/questions/*/")
    assert "님의 질문" in page.locator("h1").inner_text()
    assert page.locator("article.answer").count() == 1
    shoot(page, "question")
