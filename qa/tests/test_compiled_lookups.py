"""The lookups nearly every request makes (qa.compiled): compiled once, they find what the ORM
finds, and on PostgreSQL they are prepared once per connection, then only executed."""

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from qa.backends import ACCOUNTS
from qa.models import Round

from .factories import QuestionFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


@pytest.fixture
def rounds():
    """Rounds 1-5: 2 and 4 drafts, 3 taking answers, 5 taking questions."""
    states = {
        1: Round.State.CLOSED,
        2: Round.State.DRAFT,
        3: Round.State.ANSWERING,
        4: Round.State.DRAFT,
        5: Round.State.QUESTIONS_OPEN,
    }
    return {number: RoundFactory(number=number, state=state) for number, state in states.items()}


def test_a_boards_round_comes_with_its_visible_neighbours(rounds):
    found = Round.for_board(3)
    assert found == rounds[3]
    assert (found.previous_number, found.next_number) == (1, 5)
    # Every field as the ORM loads it.
    expected = Round.objects.get(number=3)
    for field in Round._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert (Round.for_board(1).previous_number, Round.for_board(5).next_number) == (None, None)
    assert Round.for_board(4) == rounds[4]  # a draft: is_visible_to() decides who sees it
    assert Round.for_board(6) is None


def test_this_weeks_round_is_the_newest_in_progress_then_the_newest_visible(rounds):
    this_week = Round.for_board()
    assert this_week == rounds[5] and this_week.previous_number == 3
    Round.objects.filter(number=5).update(state=Round.State.CLOSED)
    assert Round.for_board() == rounds[3]
    Round.objects.filter(number=3).update(state=Round.State.CLOSED)
    assert Round.for_board() == rounds[5]
    Round.objects.update(state=Round.State.DRAFT)
    assert Round.for_board() is None


def test_a_questions_round(rounds):
    question = QuestionFactory(round=rounds[3])
    assert Round.for_question_page(question.pk) == rounds[3]
    assert Round.for_question_page(str(question.pk)) == rounds[3]  # as the address gives it
    assert Round.for_question_page(question.pk + 1000) is None


def test_a_number_out_of_the_columns_range_finds_nothing(rounds, client):
    """As the ORM's lookups: no query with a value the column cannot hold."""
    assert Round.for_board(2**31) is None
    assert Round.for_question_page(2**63) is None
    assert ACCOUNTS.get(2**63) is None
    assert client.get("/rounds/99999999999/").status_code == 404
    assert client.get(f"/questions/{2**64}/").status_code == 404


def test_the_query_log_shows_each_lookup_as_it_ran(rounds):
    user = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        Round.for_board(3)
        ACCOUNTS.get(user.pk)
    board, account = (query["sql"] for query in queries.captured_queries)
    assert '"qa_round"."number" = 3' in board
    assert f'"auth_user"."id" = {user.pk}' in account


def prepared(fragment):
    """The times this connection's prepared statements holding `fragment` ran, by statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            [f"%{fragment}%"],
        )
        return dict(cursor.fetchall())


BOARDS_LOOKUP = 'WHERE "qa_round"."number" = $'
# psycopg prepares a statement once it has run this many times on a connection (settings.py).
THRESHOLD = settings.DATABASES["default"].get("OPTIONS", {}).get("prepare_threshold")


@postgresql_only
def test_a_boards_lookup_is_prepared_once_then_only_executed(rounds, client):
    for _request in range(THRESHOLD + 1):
        assert client.get(rounds[3].get_absolute_url()).status_code == 200
    before = prepared(BOARDS_LOOKUP)
    assert len(before) == 1, before
    for _request in range(3):
        assert client.get(rounds[3].get_absolute_url()).status_code == 200
    after = prepared(BOARDS_LOOKUP)
    assert after.keys() == before.keys()  # the same statement, not prepared again
    assert sum(after.values()) == sum(before.values()) + 3


@postgresql_only
def test_a_rolled_back_savepoint_leaves_the_lookups_working(rounds):
    for _lookup in range(THRESHOLD + 1):
        assert Round.for_board(3) == rounds[3]
    assert len(prepared(BOARDS_LOOKUP)) == 1
    # psycopg forgets its prepared statements on a rollback, and prepares them again.
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundFactory(number=3)
    for _lookup in range(THRESHOLD + 1):
        assert Round.for_board(3) == rounds[3]
    assert len(prepared(BOARDS_LOOKUP)) == 1


@postgresql_only
def test_without_prepared_statements_the_lookups_run_as_plain_queries(rounds):
    """DATABASE_PREPARED_STATEMENTS=0, for a pooler in transaction mode."""
    for _lookup in range(THRESHOLD + 1):
        Round.for_board(3)
    before = prepared(BOARDS_LOOKUP)
    raw = connection.connection
    threshold, raw.prepare_threshold = raw.prepare_threshold, None
    try:
        assert Round.for_board(3).next_number == 5
        assert Round.for_board(4).previous_number == 3
    finally:
        raw.prepare_threshold = threshold
    assert prepared(BOARDS_LOOKUP) == before  # neither prepared again nor executed
