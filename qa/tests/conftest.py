import datetime
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.utils import timezone, translation

from qa.models import Member, Round

from .browsing import missing_browser_tool
from .factories import (
    AnswerFactory,
    MemberFactory,
    PickFactory,
    QuestionFactory,
    RoundFactory,
    UserFactory,
)


def build_round(members=4, questions_each=3, number=None, state=Round.State.ANSWERING):
    """A round shaped like a real week: each member lists questions, one per list is picked
    by the next member, and the picker answers it."""
    round_ = RoundFactory(state=state, **({"number": number} if number else {}))
    people = [MemberFactory(name=f"r{round_.number}-m{i}") for i in range(members)]
    for i, author in enumerate(people):
        questions = [
            QuestionFactory(round=round_, author=author, position=p, label=f"{p}.")
            for p in range(1, questions_each + 1)
        ]
        picker = people[(i + 1) % members]
        PickFactory(question=questions[1], picker=picker)
        AnswerFactory(question=questions[1], author=picker)
    return round_


@pytest.fixture
def make_round(db):
    return build_round


def account(member, **options):
    """A client signed in as `member`, on a new account, checking CSRF tokens as browsers do."""
    member.user = UserFactory(username=f"account-{member.name}", password=None, **options)
    member.save(update_fields=["user"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    return client


@pytest.fixture
def readers(make_round):
    """A round taking answers, two of its members signed in, a curator and a visitor."""
    round_ = make_round(members=3, questions_each=3)
    first, second, _third = Member.objects.filter(questions__round=round_).distinct().order_by("name")
    curator = Member.objects.create(name="curator")
    return round_, {
        "first": (first, account(first)),
        "second": (second, account(second)),
        "curator": (curator, account(curator, is_staff=True)),
        "visitor": (None, Client(enforce_csrf_checks=True)),
    }


@pytest.fixture
def staff_client(django_user_model):
    user = django_user_model.objects.create_superuser("curator", "curator@example.com", "pw-12345!")
    client = Client()
    client.force_login(user)
    return client


# Real browser tests: Debian's Chromium driven by Playwright (a browser download never works
# here). Skipped when Chromium is missing, unless REQUIRE_BROWSER=1 (CI) makes that a failure.
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        missing_browser_tool(
            f"Chromium not found at {CHROMIUM}; install Debian's chromium (see .ci/run)"
        )
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def watch_policy(page, violations):
    """Collect what the Content-Security-Policy blocks on `page`: Chromium reports each in the
    console, across navigations."""
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text
        and violations.append(f"{page.url}: {message.text}"),
    )


@pytest.fixture
def csp_violations():
    """Every browser test fails on anything the policy blocked: StudyBoard has nothing inline."""
    violations = []
    yield violations
    assert not violations, "\n".join(violations)


@pytest.fixture
def page(browser, live_server, csp_violations):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    watch_policy(page, csp_violations)
    yield page
    context.close()


@pytest.fixture
def open_page(browser, live_server, csp_violations):
    """Pages in browser contexts of their own: another person, a phone, the dark theme."""
    contexts = []

    def open_(size="desktop", **options):
        context = browser.new_context(viewport=VIEWPORTS[size], locale="ko-KR", **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        watch_policy(page, csp_violations)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def shoot(request):
    """Save full-page screenshots at desktop and phone sizes under screenshots/<test>/; with
    `element` (a selector), of that element alone."""
    folder = SCREENSHOTS / request.node.name.replace("[", "-").replace("]", "")

    def take(page, name, element=None):
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            # A resized page can be captured before its scrolling boxes repaint (blank code
            # blocks); two animation frames let it paint first.
            page.evaluate(
                "() => new Promise(done => requestAnimationFrame(() => "
                "requestAnimationFrame(done)))"
            )
            path = folder / f"{name}-{size}.png"
            if element:
                page.locator(element).screenshot(path=path)
            else:
                page.screenshot(path=path, full_page=True)
            paths.append(path)
        page.set_viewport_size(VIEWPORTS["desktop"])
        return paths

    return take


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached: cached pages must come from its own data."""
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture(autouse=True)
def korean_by_default():
    """A request with Accept-Language: en leaves English active in the thread; start each
    test in the site's default language, whatever ran before it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


SEOUL = ZoneInfo("Asia/Seoul")


def kst(day, hour=0, minute=0, second=0):
    """A time in December 2026, in Seoul (the clock fixture's calendar)."""
    return datetime.datetime(2026, 12, day, hour, minute, second, tzinfo=SEOUL)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """A fixed timezone.now() for everyone, the ORM's auto_now fields included; set
    clock.now to move it."""
    fixed = Clock(kst(7, 9))
    monkeypatch.setattr(timezone, "now", fixed)
    return fixed
