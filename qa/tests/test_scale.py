"""Every page makes as many queries for a big board as for a small one.

Each page is requested on a small generated data set, then again after the data has grown
(more rounds, members and answers): the counts must be equal, and at most the pinned
number. Caches are emptied before each request, so the rendering path is what is counted.
"""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qa.models import Answer, Member, Round

from .factories import UserFactory

pytestmark = pytest.mark.django_db

# page: (path for the current data, queries for a visitor, for a signed-in member).
# A member's pages add their session, user and member; feeds and exports ignore the account.
PAGES = {
    "home": (lambda: "/", 4, 7),
    "board": (lambda: newest().get_absolute_url(), 4, 7),
    "question": (lambda: picked_question().get_absolute_url(), 4, 7),
    "member": (lambda: first_member().get_absolute_url(), 7, 10),
    # The newest entry's number, the matches, the page's answers, the member filter's
    # choices; TCP also hits questions. On PostgreSQL one more: no parallel workers.
    "search in Hangul": (lambda: "/search/?q=로드밸런싱", 5, 8),
    "search in English": (lambda: "/search/?q=TCP", 6, 9),
    "round list": (lambda: "/rounds/", 2, 5),
    "answer feed": (lambda: "/feed/", 1, 1),
    "round feed": (lambda: "/rounds/feed/", 1, 1),
    "export": (lambda: f"{newest().get_absolute_url()}export.md", 4, 6),
}


def newest():
    return Round.objects.visible().order_by("-number").first()


def picked_question():
    return Answer.objects.filter(question__round=newest()).first().question


def first_member():
    return Member.objects.order_by("pk").first()


def generate(**options):
    call_command("generate_demo_data", stdout=StringIO(), **options)


def queries_for(client, path):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_query_count_does_not_grow_with_the_data(page, signed_in):
    path, most_for_visitors, most_for_members = PAGES[page]
    generate(rounds=2, members=3, answers_per_question=2, seed=1)
    client = Client()
    if signed_in:
        member = first_member()
        member.user = UserFactory(username="reader", password=None)
        member.save(update_fields=["user"])
        client.force_login(member.user)
    small = queries_for(client, path())

    generate(rounds=5, members=8, answers_per_question=6, seed=2)
    assert Answer.objects.count() == 2 * 3 * 2 + 5 * 8 * 6
    large = queries_for(client, path())

    assert large == small
    assert large <= (most_for_members if signed_in else most_for_visitors)
