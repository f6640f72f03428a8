"""Accessibility and look in a real browser: axe-core in both themes, phone widths, and no
asset from anywhere but the server."""

from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from qa.models import Question, Round

from .browsing import (
    ANSWER_WITH_TABLE_AND_CODE,
    load_demo_week,
    member_account,
    missing_browser_tool,
    page_overflow,
    sign_in,
    write_in_editor,
)
from .factories import RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="session")
def axe():
    if not AXE.exists():
        missing_browser_tool(f"axe-core not found at {AXE}; run `npm ci` (make test does)")
    return AXE


def serious_violations(page, axe, where):
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    # Evaluated from disk through the DevTools protocol, which the page's
    # Content-Security-Policy does not govern: a <script> tag with it inline would be refused.
    page.evaluate(axe.read_text())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        targets = [" ".join(node["target"]) for node in violation["nodes"]]
        shown = ", ".join(targets[:5])
        if len(targets) > 5:
            shown += f" and {len(targets) - 5} more"
        lines.append(
            f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}: {shown}"
        )
    return lines


@pytest.fixture
def week(live_server):
    """The demo week, bee signed in as a member, and the addresses the checks visit."""
    load_demo_week()
    for number, state in enumerate(Round.State.values, start=2):  # every state's badge
        RoundFactory(number=number, state=state)
    picked = Question.objects.filter(picks__isnull=False).exclude(author__name="bee")
    question = picked.order_by("pk").first()
    return {
        "bee": member_account("bee"),
        "board": live_server.url + "/",
        "question": live_server.url + question.get_absolute_url(),
        "editor": live_server.url + reverse("qa:question-answer", args=[question.pk]),
        "rounds": live_server.url + reverse("qa:round-list"),
    }


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_nothing_serious_on_the_board_a_question_and_the_editor(
    open_page, live_server, axe, week, theme, shoot
):
    page = open_page(color_scheme=theme)
    found = []
    page.goto(week["board"])
    found += serious_violations(page, axe, "board (visitor)")

    sign_in(page.context, live_server, week["bee"])
    page.goto(week["board"])
    found += serious_violations(page, axe, "board (member)")
    if theme == "dark":
        shoot(page, "board-dark")
    page.goto(week["question"])
    found += serious_violations(page, axe, "question")
    page.goto(week["editor"])
    write_in_editor(page, ANSWER_WITH_TABLE_AND_CODE)
    found += serious_violations(page, axe, "editor")
    page.goto(week["rounds"])
    found += serious_violations(page, axe, "rounds")

    assert not found, "axe-core found serious problems:\n" + "\n".join(found)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_nothing_serious_on_search(open_page, live_server, axe, week, theme):
    try:
        search = reverse("qa:search")
    except NoReverseMatch:
        pytest.skip("search (qa:search) is not built yet; its accessibility is checked once it is")
    page = open_page(color_scheme=theme)
    sign_in(page.context, live_server, week["bee"])
    page.goto(f"{live_server.url}{search}?q=로드")
    found = serious_violations(page, axe, "search")
    page.goto(f"{live_server.url}{search}?q=쿠버네티스&round=1")  # 결과 없음, with its hints
    assert page.locator(".search-empty").is_visible()
    found += serious_violations(page, axe, "search without results")
    assert not found, "axe-core found serious problems:\n" + "\n".join(found)


def test_on_a_phone_pages_never_scroll_sideways(open_page, live_server, week):
    page = open_page(size="phone")
    sign_in(page.context, live_server, week["bee"])
    wide = {}
    for name in ["board", "question", "editor"]:
        page.goto(week[name])
        if name == "editor":
            write_in_editor(page, ANSWER_WITH_TABLE_AND_CODE)
        wide[name] = page_overflow(page)
    too_wide = {name: pixels for name, pixels in wide.items() if pixels > 0}
    assert not too_wide, f"pages wider than a 390px phone, by pixels: {too_wide}"


def test_pages_load_nothing_from_outside_the_server(page, live_server, week):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page.context, live_server, week["bee"])
    for name in ["board", "question", "editor"]:
        page.goto(week[name])
    write_in_editor(page, ANSWER_WITH_TABLE_AND_CODE)  # the live preview asks the server too

    outside = [
        url for url in requested
        if not url.startswith((live_server.url + "/", "data:"))
    ]  # fmt: skip
    assert len(requested) > 3
    assert not outside, f"requests to other servers: {outside}"
