"""A round's dates: questions due, answers due, advance_rounds on a fixed clock, the board's
deadline."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.cache import caches
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from qa.models import Round
from qa.models.writing import move_round

from .conftest import kst
from .factories import RoundFactory
from .test_admin import inline_management

pytestmark = pytest.mark.django_db

OPEN, ANSWERING, CLOSED, DRAFT = (
    Round.State.QUESTIONS_OPEN, Round.State.ANSWERING, Round.State.CLOSED, Round.State.DRAFT,
)  # fmt: skip


@pytest.fixture
def week(clock):
    """Week 1 open from Monday 7 December; week 2 scheduled from Monday 14; week 3 a draft with
    no dates."""
    RoundFactory(
        number=1, state=OPEN, starts_on=datetime.date(2026, 12, 7),
        questions_due=kst(9, 23, 59), answers_due=kst(13, 23, 59),
    )  # fmt: skip
    RoundFactory(
        number=2, state=DRAFT, starts_on=datetime.date(2026, 12, 14),
        questions_due=kst(16, 23, 59), answers_due=kst(20, 23, 59),
    )  # fmt: skip
    RoundFactory(number=3, state=DRAFT)


def advance(*args):
    out = StringIO()
    call_command("advance_rounds", *args, stdout=out)
    return out.getvalue()


def states():
    return dict(Round.objects.order_by("number").values_list("number", "state"))


def test_a_whole_week_on_a_fixed_clock(clock, week):
    steps = [
        # (now, the command's output, the states after it)
        (kst(7, 9), "움직일 주차가 없어요.\n", {1: OPEN, 2: DRAFT, 3: DRAFT}),
        (kst(9, 23, 58, 59), "움직일 주차가 없어요.\n", {1: OPEN, 2: DRAFT, 3: DRAFT}),
        (kst(9, 23, 59), "1주차: 질문 받는 중 → 답변 받는 중\n", {1: ANSWERING, 2: DRAFT, 3: DRAFT}),
        (kst(9, 23, 59), "움직일 주차가 없어요.\n", {1: ANSWERING, 2: DRAFT, 3: DRAFT}),
        (kst(13, 23, 58), "움직일 주차가 없어요.\n", {1: ANSWERING, 2: DRAFT, 3: DRAFT}),
        # Week 1 closes on Sunday night; week 2 waits for its start date, Monday in Seoul.
        (kst(13, 23, 59), "1주차: 답변 받는 중 → 마감\n", {1: CLOSED, 2: DRAFT, 3: DRAFT}),
        (kst(14, 0, 0), "2주차: 초안 → 질문 받는 중\n", {1: CLOSED, 2: OPEN, 3: DRAFT}),
        (kst(14, 0, 5), "움직일 주차가 없어요.\n", {1: CLOSED, 2: OPEN, 3: DRAFT}),
        (kst(16, 23, 59), "2주차: 질문 받는 중 → 답변 받는 중\n", {1: CLOSED, 2: ANSWERING, 3: DRAFT}),
        # Week 3 has no dates: nothing opens it but a curator.
        (kst(21, 0, 0), "2주차: 답변 받는 중 → 마감\n", {1: CLOSED, 2: CLOSED, 3: DRAFT}),
        (kst(28, 0, 0), "움직일 주차가 없어요.\n", {1: CLOSED, 2: CLOSED, 3: DRAFT}),
    ]
    for now, output, after in steps:
        clock.now = now
        assert (now, advance()) == (now, output)
        assert (now, states()) == (now, after)


def test_the_home_page_follows_the_week(clock, week):
    clock.now = kst(14, 0, 0)
    assert Round.for_board().number == 1  # closed, and still the newest visible round
    advance()
    assert Round.for_board().number == 2


def test_a_missed_week_catches_up_in_one_run(clock, week):
    clock.now = kst(17, 12)
    assert advance() == (
        "1주차: 질문 받는 중 → 답변 받는 중\n"
        "1주차: 답변 받는 중 → 마감\n"
        "2주차: 초안 → 질문 받는 중\n"
        "2주차: 질문 받는 중 → 답변 받는 중\n"
    )
    assert states() == {1: CLOSED, 2: ANSWERING, 3: DRAFT}
    assert advance() == "움직일 주차가 없어요.\n"


def test_a_scheduled_round_waits_for_every_round_before_it(clock, week):
    Round.objects.filter(number=3).update(
        questions_due=kst(23, 23, 59), starts_on=datetime.date(2026, 12, 1)
    )
    clock.now = kst(14, 0)
    advance()
    # Week 3 may start by its date, but week 2 before it has not closed.
    assert states() == {1: CLOSED, 2: OPEN, 3: DRAFT}
    clock.now = kst(21, 0)
    assert advance() == (
        "2주차: 질문 받는 중 → 답변 받는 중\n2주차: 답변 받는 중 → 마감\n3주차: 초안 → 질문 받는 중\n"
    )


def test_a_scheduled_round_without_a_start_date_opens_when_the_one_before_closes(clock, week):
    Round.objects.filter(number=2).update(starts_on=None)
    clock.now = kst(13, 23, 59)
    assert advance() == (
        "1주차: 질문 받는 중 → 답변 받는 중\n1주차: 답변 받는 중 → 마감\n2주차: 초안 → 질문 받는 중\n"
    )


def test_a_dry_run_lists_the_moves_and_makes_none(clock, week):
    clock.now = kst(14, 0)
    before = list(Round.objects.order_by("number").values_list("state", "revision", "updated"))
    assert advance("--dry-run") == (
        "1주차: 질문 받는 중 → 답변 받는 중\n"
        "1주차: 답변 받는 중 → 마감\n"
        "2주차: 초안 → 질문 받는 중\n"
        "시험 실행: 아무것도 바꾸지 않았어요.\n"
    )
    assert list(Round.objects.order_by("number").values_list("state", "revision", "updated")) == before


def test_a_move_counts_on_the_board_so_a_visitors_cached_board_shows_it(clock, week):
    visitor = Client()
    clock.now = kst(9, 12)
    before = visitor.get("/rounds/1/").content.decode()
    assert "질문 받는 중" in before and "답변 받는 중" not in before
    assert visitor.get("/rounds/1/").content.decode() == before  # now from the cache
    revision = Round.objects.get(number=1).revision
    clock.now = kst(10, 0)
    advance()
    round_ = Round.objects.get(number=1)
    assert (round_.state, round_.revision, round_.updated) == (ANSWERING, revision + 1, kst(10, 0))
    assert "답변 받는 중" in visitor.get("/rounds/1/").content.decode()


def test_a_round_moved_by_someone_else_keeps_their_state(clock, week):
    stale = Round.objects.get(number=1)  # read while questions were open
    Round.objects.filter(number=1).update(state=CLOSED)  # a curator closes it meanwhile
    assert move_round(stale, ANSWERING, kst(10)) is False
    assert Round.objects.get(number=1).state == CLOSED


def test_answers_are_due_after_questions_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundFactory(questions_due=kst(9, 23, 59), answers_due=kst(9, 23, 59))
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundFactory(questions_due=kst(9, 23, 59), answers_due=kst(8))
    RoundFactory(questions_due=kst(9, 23, 59), answers_due=None)
    RoundFactory(questions_due=None, answers_due=kst(8))


def test_answers_due_before_questions_is_a_form_error():
    round_ = RoundFactory.build(number=9, questions_due=kst(9), answers_due=kst(8))
    with pytest.raises(ValidationError) as raised:
        round_.full_clean()
    assert [e.code for e in raised.value.error_dict["answers_due"]] == [
        "answers_due_before_questions"
    ]


@pytest.mark.parametrize(
    ("now", "text"),
    [
        (
            kst(7, 9),
            '질문 마감 <time datetime="2026-12-09T23:59:00+09:00">2026년 12월 9일 11:59 오후 (KST)'
            "</time> · <strong>2일 14시간 남음</strong>",
        ),
        (kst(9, 21, 29), "<strong>2시간 30분 남음</strong>"),
        (kst(9, 22, 59), "<strong>1시간 남음</strong>"),
        (kst(9, 23, 58, 30), "<strong>1분 미만 남음</strong>"),
        (kst(10, 0, 1), "<strong>마감 시간이 지났어요</strong>"),
    ],
)
def test_the_board_shows_the_next_deadline_and_the_time_left_in_seoul(clock, now, text):
    RoundFactory(number=1, state=OPEN, questions_due=kst(9, 23, 59), answers_due=kst(13, 23, 59))
    clock.now = now
    assert text in Client().get("/rounds/1/").content.decode()


def test_while_answering_the_board_counts_down_to_answers_due_in_english_too(clock):
    RoundFactory(number=1, state=ANSWERING, questions_due=kst(9, 23, 59), answers_due=kst(13, 23, 59))
    clock.now = kst(12, 22, 0)
    page = Client().get("/rounds/1/").content.decode()
    assert "답변 마감 <time" in page and "<strong>1일 1시간 59분 남음</strong>" not in page
    assert "<strong>1일 1시간 남음</strong>" in page
    with translation.override("en"):
        english = Client(headers={"cookie": "django_language=en"}).get("/rounds/1/").content.decode()
    assert 'Answers due <time datetime="2026-12-13T23:59:00+09:00">' in english
    assert "<strong>1 day 1 hour left</strong>" in english


@pytest.mark.parametrize("state", [DRAFT, CLOSED])
def test_no_deadline_outside_questions_and_answering(staff_client, clock, state):
    RoundFactory(number=1, state=state, questions_due=kst(9, 23, 59), answers_due=kst(13, 23, 59))
    page = staff_client.get("/rounds/1/").content.decode()
    assert "round-header__deadline" not in page


def test_no_deadline_without_dates(clock):
    RoundFactory(number=1, state=OPEN)
    assert "round-header__deadline" not in Client().get("/rounds/1/").content.decode()


def test_a_visitors_cached_board_counts_down_too(clock):
    RoundFactory(number=1, state=OPEN, questions_due=kst(9, 23, 59))
    visitor = Client()
    clock.now = kst(9, 21, 0, 10)
    first = visitor.get("/rounds/1/").content.decode()
    assert "<strong>2시간 58분 남음</strong>" in first
    clock.now = kst(9, 21, 0, 50)  # the same time left, as shown: the cached page
    assert visitor.get("/rounds/1/").content.decode() == first
    clock.now = kst(9, 22, 15)
    assert "<strong>1시간 44분 남음</strong>" in visitor.get("/rounds/1/").content.decode()


def test_the_deadline_costs_the_board_no_query(clock, make_round, django_assert_max_num_queries):
    round_ = make_round(members=4)
    visitor = Client()

    def board_queries():
        for each in caches.all():
            each.clear()
        with CaptureQueriesContext(connection) as queries:
            page = visitor.get(round_.get_absolute_url()).content.decode()
        return len(queries), page

    without, page = board_queries()
    assert "round-header__deadline" not in page
    Round.objects.filter(pk=round_.pk).update(answers_due=kst(13, 23, 59))
    for each in caches.all():
        each.clear()
    with django_assert_max_num_queries(without):
        page = visitor.get(round_.get_absolute_url()).content.decode()
    assert "round-header__deadline" in page
    assert without <= 5


def test_a_curator_schedules_a_round_in_the_admin_in_seoul_time(staff_client):
    data = {
        "number": "4", "title": "", "state": "draft", "question_limit": "4",
        "questions_due_0": "2026-12-09", "questions_due_1": "23:59:00",
        "answers_due_0": "2026-12-13", "answers_due_1": "23:59:00",
        **inline_management("questions", 0),
    }  # fmt: skip
    response = staff_client.post(reverse("admin:qa_round_add"), data)
    assert response.status_code == 302
    round_ = Round.objects.get(number=4)
    assert (round_.questions_due, round_.answers_due) == (kst(9, 23, 59), kst(13, 23, 59))
    change = staff_client.get(reverse("admin:qa_round_change", args=[round_.pk])).content.decode()
    assert 'name="questions_due_1" value="23:59:00"' in change
    listed = staff_client.get(reverse("admin:qa_round_changelist")).content.decode()
    assert "2026년 12월 9일 11:59 오후" in listed


def test_answers_due_before_questions_is_an_error_on_the_admins_form(staff_client):
    data = {
        "number": "4", "title": "", "state": "draft", "question_limit": "4",
        "questions_due_0": "2026-12-09", "questions_due_1": "23:59:00",
        "answers_due_0": "2026-12-09", "answers_due_1": "12:00:00",
        **inline_management("questions", 0),
    }  # fmt: skip
    response = staff_client.post(reverse("admin:qa_round_add"), data)
    assert response.status_code == 200
    assert "답변 마감은 질문 마감보다 뒤여야 합니다." in response.content.decode()
    assert not Round.objects.exists()


def test_a_draft_nobody_scheduled_holds_nothing_up(clock, week):
    Round.objects.filter(number=2).update(questions_due=None)  # week 2 left unscheduled
    Round.objects.filter(number=3).update(questions_due=kst(23, 23, 59))
    clock.now = kst(13, 23, 59)
    assert advance() == (
        "1주차: 질문 받는 중 → 답변 받는 중\n1주차: 답변 받는 중 → 마감\n3주차: 초안 → 질문 받는 중\n"
    )
    assert states() == {1: CLOSED, 2: DRAFT, 3: OPEN}
