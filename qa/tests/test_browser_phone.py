"""Reading on a phone in a real browser: Korean words stay whole, the answer matrix scrolls
sideways and says so, code blocks are readable, and the header takes two rows at most."""

import datetime

import pytest

from qa.models import Round

from .browsing import load_demo_week, member_account, page_overflow, sign_in
from .conftest import VIEWPORTS
from .factories import RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every run of Hangul, Latin letters and digits ("1주차", "Write로") in the page's text, with
# the lines it is drawn on: a word drawn on two lines was broken inside. Spaces, hyphens,
# slashes and brackets are places a line may end, so they split words here too.
BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement || node.parentElement.closest(".visually-hidden, pre, textarea")) {
      continue;
    }
    for (const word of node.data.matchAll(/[\\uac00-\\ud7a3A-Za-z0-9]+/g)) {
      if (!/[\\uac00-\\ud7a3]/.test(word[0])) continue;
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top);
      if (tops.length && Math.max(...tops) - Math.min(...tops) > 2) broken.push(word[0]);
    }
  }
  return broken;
}"""

# How many rows the header's links, buttons and fields are laid out in.
HEADER_ROWS = """() => {
  const rows = [];
  for (const item of document.querySelectorAll(
    ".site-header a, .site-header button, .site-header input, .site-header .account__name"
  )) {
    const box = item.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const middle = box.top + box.height / 2;
    if (!rows.some(row => Math.abs(row - middle) < box.height / 2)) rows.push(middle);
  }
  return rows.length;
}"""


def a_year_of_rounds():
    """The demo week as round 1, then rounds in every state with their dates, as /rounds/
    lists them."""
    load_demo_week()
    monday = datetime.date(2025, 3, 3)
    for number, state in enumerate(
        [Round.State.CLOSED, Round.State.CLOSED, Round.State.ANSWERING, Round.State.QUESTIONS_OPEN],
        start=2,
    ):
        starts_on = monday + datetime.timedelta(weeks=number)
        RoundFactory(
            number=number,
            state=state,
            starts_on=starts_on,
            ends_on=starts_on + datetime.timedelta(days=6),
        )


def test_korean_words_are_never_broken_inside_on_the_round_list(open_page, live_server, shoot):
    a_year_of_rounds()
    page = open_page("phone")
    page.goto(live_server.url + "/rounds/")
    for size in ["phone", "desktop"]:
        page.set_viewport_size(VIEWPORTS[size])
        assert page.evaluate(BROKEN_WORDS) == [], size
        assert page_overflow(page) <= 0, size
    # The measure sees a broken word when there is one: with the stylesheet's old rule a
    # narrow table breaks its headers and "N주차" between letters.
    page.set_viewport_size(VIEWPORTS["phone"])
    # Through the CSSOM: a <style> tag would be refused by the Content-Security-Policy.
    page.evaluate("() => { document.body.style.overflowWrap = 'anywhere'; }")
    assert {"주차", "질문", "5주차"} <= set(page.evaluate(BROKEN_WORDS))
    page.reload()
    shoot(page, "rounds")

    page.goto(live_server.url + "/rounds/1/")
    assert page.evaluate(BROKEN_WORDS) == []


def test_answer_matrix_scrolls_sideways_to_its_last_column_with_a_hint(
    open_page, live_server, shoot
):
    load_demo_week()
    page = open_page("phone")
    page.goto(live_server.url + "/rounds/1/")
    box = page.locator(".answer-matrix .table-scroll")
    hint = page.locator(".answer-matrix .scroll-hint")
    last = box.locator("thead th").last
    assert last.inner_text() == "남은 답변"

    def right_edge(locator):
        found = locator.bounding_box()
        return found["x"] + found["width"]

    # Four picked questions are wider than a phone: the page stays put, the box scrolls and
    # says so, and its right edge fades while the last column is hidden.
    assert page_overflow(page) <= 0
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")
    assert hint.is_visible()
    assert "옆으로" in hint.inner_text()
    assert box.get_attribute("data-more-right") is not None
    assert right_edge(last) > right_edge(box) + 1
    shoot(page, "matrix", element=".answer-matrix")

    box.evaluate("box => box.scrollBy(box.scrollWidth, 0)")
    page.wait_for_function(
        "() => !document.querySelector('.answer-matrix .table-scroll').hasAttribute("
        "'data-more-right')"
    )
    assert right_edge(last) <= right_edge(box) + 1
    # The member column stays in view while the answers scroll under it.
    first = box.locator("tbody th").first
    assert first.bounding_box()["x"] == pytest.approx(box.bounding_box()["x"], abs=1)
    assert first.is_visible()

    # On a laptop the whole matrix fits: no hint, no fade.
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.wait_for_function(
        "() => document.querySelector('.answer-matrix .scroll-hint').hidden"
    )
    assert box.get_attribute("data-more-right") is None
    assert right_edge(last) <= right_edge(box) + 1


def test_code_blocks_are_set_at_a_readable_size(open_page, live_server):
    load_demo_week()
    page = open_page("desktop")
    page.goto(live_server.url + "/rounds/1/")
    sizes = """() => [getComputedStyle(document.body).fontSize,
        ...new Set([...document.querySelectorAll('.markdown-body pre code')]
          .map(code => getComputedStyle(code).fontSize))]"""
    assert page.locator(".markdown-body pre code").count() >= 2
    assert page.evaluate(sizes) == ["16px", "15px"]
    page.set_viewport_size(VIEWPORTS["phone"])
    assert page.evaluate(sizes) == ["15px", "14px"]


@pytest.mark.parametrize("who", ["visitor", "curator"])
def test_header_takes_at_most_two_rows_on_a_phone(open_page, live_server, shoot, who):
    load_demo_week()
    page = open_page("phone")
    if who == "curator":
        # The longest header: the curation link, the member's name, password and sign out.
        sign_in(page.context, live_server, member_account("bee", staff=True))
    page.goto(live_server.url + "/rounds/")
    assert page.evaluate(HEADER_ROWS) <= 2
    assert page.locator(".site-header").bounding_box()["height"] <= 90
    assert page_overflow(page) <= 0
    # The search box gives way to a link to the search page, where the box is.
    assert not page.locator("#site-search").is_visible()
    # The language in use is not offered; the other one is.
    assert page.locator(".language-links a:visible").all_inner_texts() == ["English"]
    shoot(page, "header", element=".site-header")

    page.set_viewport_size(VIEWPORTS["desktop"])
    assert page.evaluate(HEADER_ROWS) == 1
    assert page.locator("#site-search").is_visible()
    assert not page.locator(".site-search-link").is_visible()

    page.set_viewport_size(VIEWPORTS["phone"])
    page.locator(".site-search-link").click()
    page.wait_for_url("**/search/")
    assert page.locator(".search-page input[name=q]").is_visible()
