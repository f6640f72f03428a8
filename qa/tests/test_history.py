"""The version of every member page and search (Round.objects.history()): it goes up with
every committed write to rounds, however it is made, and costs the same however many rounds
there are."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from qa.models import Round, RoundChange, SearchEntry

from .factories import AnswerFactory, MemberFactory, RoundFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="other connections' transactions need PostgreSQL"
)


def changes():
    return Round.objects.history().changes


@pytest.fixture
def round_():
    return RoundFactory(number=1, state=Round.State.QUESTIONS_OPEN)


def test_every_kind_of_write_to_rounds_counts(round_):
    before = changes()
    RoundFactory(number=2)
    assert changes() > before

    before = changes()
    Round.objects.filter(pk=round_.pk).touch()
    assert changes() > before

    # The admin's bulk actions change states with update(), which moves no revision.
    before = changes()
    Round.objects.filter(pk=round_.pk).update(state=Round.State.DRAFT)
    assert changes() > before

    before = changes()
    Round.objects.filter(number=2).delete()
    assert changes() > before


def test_sql_written_by_hand_counts_too(round_):
    """The database's triggers count it, not Django: they exist once migrations have run
    (on SQLite, a migration that rebuilds qa_round drops them and would fail this)."""
    before = changes()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE qa_round SET title = %s WHERE id = %s", ["손으로 고친 제목", round_.pk])
    assert changes() > before


def test_a_write_to_a_board_counts(round_):
    before = changes()
    AnswerFactory(question__round=round_)
    assert changes() > before


def test_a_rename_counts():
    RoundFactory(number=1)
    member = MemberFactory(name="클로이")
    before = changes()
    member.name = "클레어"
    member.save()
    assert changes() > before


def test_reading_it_writes_nothing_and_the_version_stays(round_):
    first = Round.objects.history()
    assert Round.objects.history() == first
    assert first.version() == str(first.changes)


def test_it_says_whether_a_round_hides_answers(round_):
    assert not Round.objects.history().hiding
    Round.objects.filter(pk=round_.pk).update(state=Round.State.ANSWERING, blind_answers=False)
    assert not Round.objects.history().hiding
    Round.objects.filter(pk=round_.pk).update(blind_answers=True)
    assert Round.objects.history().hiding
    Round.objects.filter(pk=round_.pk).update(state=Round.State.CLOSED)
    assert not Round.objects.history().hiding


def test_the_newest_search_entry_comes_with_it_when_asked(round_):
    AnswerFactory(question__round=round_)
    newest = SearchEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert newest is not None
    assert Round.objects.history(newest_entry=True).newest_entry == newest
    assert Round.objects.history().newest_entry is None


def test_one_query_however_many_rounds():
    RoundFactory.create_batch(30)
    with CaptureQueriesContext(connection) as queries:
        Round.objects.history(newest_entry=True)
    assert len(queries) == 1
    assert "qa_round" in queries[0]["sql"] and "qa_roundchange" in queries[0]["sql"]


def test_compacting_keeps_the_total(round_):
    for _ in range(RoundChange.COMPACT_AFTER + 1):
        Round.objects.filter(pk=round_.pk).touch()
    total = changes()  # this reader compacts: past COMPACT_AFTER rows
    assert RoundChange.objects.count() == 1
    assert RoundChange.objects.get().weight == total
    assert changes() == total
    Round.objects.filter(pk=round_.pk).touch()
    assert changes() == total + 1


def test_compacting_a_few_rows_is_left_for_later(round_):
    for _ in range(3):
        Round.objects.filter(pk=round_.pk).touch()
    count = RoundChange.objects.count()
    total = changes()
    assert 1 < count <= RoundChange.COMPACT_AFTER
    assert RoundChange.objects.count() == count
    RoundChange.objects.compact()
    assert RoundChange.objects.count() == 1
    assert changes() == total


@contextmanager
def held_open(work):
    """work() in a transaction on another connection, kept open until the block ends."""
    done, release = threading.Event(), threading.Event()

    def run():
        try:
            with transaction.atomic():
                work()
                done.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert done.wait(timeout=30)
        yield
    finally:
        release.set()
        thread.join(timeout=30)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_write_counts_only_once_committed():
    """A page read while the write is under way must not be kept under the new version."""
    round_ = RoundFactory(number=1)
    before = changes()
    with held_open(Round.objects.filter(pk=round_.pk).touch):
        assert changes() == before
    assert changes() == before + 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_compacting_passes_over_rows_another_compaction_holds():
    round_ = RoundFactory(number=1)
    for _ in range(5):
        Round.objects.filter(pk=round_.pk).touch()
    total = changes()
    held = list(RoundChange.objects.order_by("pk").values_list("pk", flat=True)[:2])
    with held_open(lambda: list(RoundChange.objects.filter(pk__in=held).select_for_update())):
        RoundChange.objects.compact()  # does not wait for the holder
        assert set(held) <= set(RoundChange.objects.values_list("pk", flat=True))
        assert RoundChange.objects.count() == len(held) + 1
        assert changes() == total
    RoundChange.objects.compact()
    assert RoundChange.objects.count() == 1
    assert changes() == total
