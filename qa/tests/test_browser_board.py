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
    # The heading is the question; whose it is stands above it.
    assert "님의 질문" not in page.locator("h1").inner_text()
    assert page.locator("h1").inner_text() in page.title()
    assert "님의 질문" in page.locator(".question-detail__context").inner_text()
    assert page.locator("article.answer").count() == 1
    shoot(page, "question")


def test_copy_link_puts_the_address_on_the_clipboard(open_page, live_server):
    call_command("load_demo", stdout=StringIO())
    page = open_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + "/")
    first = page.locator("li.question").first
    button = first.locator("button.copy-link")  # the script made the link a button
    assert first.locator("a.copy-link").count() == 0
    address = button.get_attribute("data-copy-url")
    assert address.startswith(live_server.url + "/questions/")
    button.click()
    page.locator("[data-copy-status]", has_text="링크를 복사했습니다").wait_for(state="attached")
    assert page.evaluate("navigator.clipboard.readText()") == address


def test_without_scripts_copy_link_is_a_plain_link(open_page, live_server):
    call_command("load_demo", stdout=StringIO())
    page = open_page(java_script_enabled=False)
    page.goto(live_server.url + "/")
    link = page.locator("li.question a.copy-link").first
    assert link.inner_text() == "링크"
    link.click()
    page.wait_for_url("**/questions/*/")
