"""What each page costs in queries, pinned in one table; the cost never grows with the data.

Each page is requested on a small generated data set, then again after the data has grown
(more rounds, members and answers): the counts must be equal, and equal to the pinned
number, so a page that gets cheaper updates the table too. Caches are emptied before each
page, so the rendering path is what is counted; rows marked `again` count a second request
instead, which is the one the page cache answers for visitors.
"""

from collections.abc import Callable
from io import StringIO
from typing import NamedTuple

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qa import search
from qa.models import Answer, Member, Round

from .factories import UserFactory

pytestmark = pytest.mark.django_db


class Page(NamedTuple):
    path: Callable[[], str]
    # Queries for each role; None where the page is not counted for that role.
    visitor: int | None
    member: int | None
    curator: int | None  # a superuser with a member of their own
    again: bool = False  # count the second request, after the first could fill the cache
    on_postgresql: int = 0  # queries added there


# Paths, found in the data when the test runs.
def at(path):
    return lambda: path


def newest_round():
    return Round.objects.visible().order_by("-number").first()


def board():
    return newest_round().get_absolute_url()


def board_utm():
    return f"{board()}?utm=x"


def export():
    return f"{board()}export.md"


def question():
    """A picked question of the newest round, with answers: the first member's, so that the
    signed-in reader reads its answers at both sizes, blind answering or not."""
    answer = Answer.objects.filter(
        question__round=newest_round(), question__author=first_member()
    ).first()
    return answer.question.get_absolute_url()


def first_member():
    return Member.objects.order_by("pk").first()


def member():
    return first_member().get_absolute_url()


def admin_rounds():
    return reverse("admin:qa_round_changelist")


# The newest round takes answers with blind answering on, as a group's current week does: a
# member's board, question page and export add the one query that finds which answers they
# may read (Round.reveal_for()), and so do member pages and searches while a round hides
# answers (History.version(reader)); curators may read all, visitors none, without it.
# Signed in, a page adds the session and the user, with its member (qa.backends.MemberBackend);
# so does an export, and feeds add nothing (they never read the session). A signed-in reader's
# page is kept whole for them (qa.pagecache.cached_page()), so their "again" rows count that.
PAGES = {
    #                                                              visitor member curator
    # The round, then the board's questions, picks and answers (the matrix adds none; the
    # answers' 👍 💡 ❓ counts are subqueries of theirs). A member's own reactions, for the
    # pressed buttons, add one, and "new for you" one (Member.new_for_you()).
    "home":                      Page(at("/"),                     4,      9,     8),
    "board":                     Page(board,                       4,      9,     8),
    # The round alone: its revision keys the cached page, the visitors' or the reader's own.
    "board, again":              Page(board,                       1,      3,     3, again=True),
    # Rendered again, never cached whole (a query string could fill the cache with copies),
    # but from its cached parts.
    "board with a query string": Page(board_utm,                   1,      None,  None, again=True),
    # The round (by the question's id), the question (with the follow-up it was promoted
    # from), its picks, its answers (with their follow-ups counted), their follow-ups; for
    # members their reactions.
    "question":                  Page(question,                    5,      9,     8),
    "question, again":           Page(question,                    1,      3,     3, again=True),
    # The member, the version of every board (Round.objects.history()), the three
    # counts in one query, then for questions, picks and answers one page of rounds each.
    "member":                    Page(member,                      6,      9,     8),
    # The member and the version: the rest is the cached page.
    "member, again":             Page(member,                      2,      4,     4, again=True),
    # The version of every board with the newest entry's number, the matches, the page's
    # answers, the member filter's choices; TCP also hits questions. PostgreSQL adds one: no
    # parallel workers (SET LOCAL).
    "search in Hangul":          Page(at("/search/?q=로드밸런싱"), 4,      7,     6, on_postgresql=1),
    "search in English":         Page(at("/search/?q=TCP"),        5,      8,     7, on_postgresql=1),
    # The version: the form and the results are the cached shared part.
    "search, again":             Page(at("/search/?q=TCP"),        1,      4,     3, again=True),
    # A count for the pages, then the page's rounds with their counts as subqueries.
    "round list":                Page(at("/rounds/"),              2,      4,     4),
    "answer feed":               Page(at("/feed/"),                1,      1,     1),
    "round feed":                Page(at("/rounds/feed/"),         1,      1,     1),
    # The round, its questions, their picks, their answers.
    "export":                    Page(export,                      4,      7,     6),
    # A count, the topic and member choices of the filters, the page of questions with their
    # answer counts, their topics.
    "question bank":             Page(at("/bank/"),                5,      7,     7),
    # A member's first day: no card due (one query), new questions met today, the first new
    # one and their count, its answers and its topics (qa.study_views.review).
    "review":                    Page(at("/review/"),              None,   8,     8),
    # The topic choices and the member's recent interviews.
    "mock interview":            Page(at("/interview/"),           None,   4,     4),
    # Session and user (the admin never asks for the member), two counts (filtered, all),
    # the page of rounds with their counts, the date hierarchy's range and its dates.
    "admin round list":          Page(admin_rounds,                None,   None,  7),
}  # fmt: skip

ROLES = ["visitor", "member", "curator"]
PINNED = [
    pytest.param(page, role, id=f"{role}-{page}")
    for page, pin in PAGES.items()
    for role in ROLES
    if getattr(pin, role) is not None
]


@pytest.fixture(autouse=True)
def whole_index_is_newest(monkeypatch):
    """Search reads the newest RECENT_ENTRIES entry ids, and older ones in one more query when
    the ids go past that. PostgreSQL does not give back the ids that earlier tests used up, so
    the window is widened: these small boards are counted as on a fresh database."""
    monkeypatch.setattr(search, "RECENT_ENTRIES", 10**9)


def generate(**options):
    call_command("generate_demo_data", stdout=StringIO(), **options)


def sign_in_as_first_member(client, role):
    reader = first_member()
    staff = role == "curator"
    reader.user = UserFactory(username="reader", is_staff=staff, is_superuser=staff, password=None)
    # In the middle of a visit, as most looks at a board are: the look that starts one adds
    # an UPDATE (Member.saw_board(), counted in test_new_for_you).
    reader.last_seen_at = timezone.now()
    reader.save(update_fields=["user", "last_seen_at"])
    client.force_login(reader.user)


def queries_for(client, page):
    for each in caches.all():
        each.clear()
    path = page.path()
    if page.again:
        assert client.get(path).status_code == 200, path
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.parametrize("page, role", PINNED)
def test_query_count_is_pinned_and_does_not_grow_with_the_data(page, role):
    pin = PAGES[page]
    generate(rounds=2, members=3, answers_per_question=2, seed=1)
    client = Client()
    if role != "visitor":
        sign_in_as_first_member(client, role)
    small = queries_for(client, pin)

    generate(rounds=5, members=8, answers_per_question=6, seed=2)
    assert Answer.objects.count() == 2 * 3 * 2 + 5 * 8 * 6
    large = queries_for(client, pin)

    assert large == small
    extra = pin.on_postgresql if connection.vendor == "postgresql" else 0
    assert large == getattr(pin, role) + extra
