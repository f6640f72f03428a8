""""New for you" on the board: what others did for a signed-in member since their last visit
(answers to their questions, follow-ups on their answers), per reader, never cached for
another, and cheap to keep."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa.models import FollowUp, Member, Round
from qa.models.members import NEW_FOR_YOU_LIMIT

from .conftest import kst
from .factories import AnswerFactory, PickFactory, QuestionFactory, RoundFactory
from .people import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(clock):
    """Week 3 answering: sky's and bee's questions, both picked for the group; sky answered
    bee's at 8:00 on the 7th. sky's last visit ended at 9:00."""
    clients = {name: sign_in(name) for name in ("sky", "bee", "chloe")}
    members = {m.name: m for m in Member.objects.select_related("user")}
    round_ = RoundFactory(number=3, state=Round.State.ANSWERING)
    questions = {
        name: QuestionFactory(round=round_, author=members[name], text=f"{name}의 질문: TCP란?")
        for name in ("sky", "bee")
    }
    for question in questions.values():
        PickFactory(question=question)
    clock.now = kst(7, 8)
    skys_answer = written_answer(questions["bee"], members["sky"])
    Member.objects.filter(name="sky").update(last_seen_at=kst(7, 9))
    return {"round": round_, "clients": clients, "members": members,
            "questions": questions, "skys_answer": skys_answer}  # fmt: skip


def written_answer(question, author, body="TCP는 연결 지향"):
    """An answer written in the app (imported ones have no edited_by)."""
    return AnswerFactory(question=question, author=author, body=body, edited_by=author.user)


def follow_up(answer, author, body="왜요?"):
    return FollowUp.objects.create(answer=answer, author=author, round=answer.round, body=body)


def new_for_you(client, path="/"):
    """The links of the reader's "new for you" list, in order; None when there is none."""
    page = client.get(path).content.decode()
    section = re.search(r'<section class="new-for-you".*?</section>', page, re.S)
    if section is None:
        return None
    return re.findall(r'<li class="new-for-you__item[^"]*"><a href="([^"]+)"', section.group())


def answer_link(answer):
    return f"/questions/{answer.question_id}/#answer-{answer.pk}"


def follow_up_link(follow_up):
    return f"/questions/{follow_up.answer.question_id}/#follow-up-{follow_up.pk}"


def test_others_answers_and_follow_ups_since_the_last_visit_are_listed_newest_first(week, clock):
    members, questions = week["members"], week["questions"]
    clock.now = kst(7, 8, 30)
    written_answer(questions["sky"], members["chloe"])  # before sky's last visit ended
    clock.now = kst(7, 9, 30)
    bees = written_answer(questions["sky"], members["bee"])
    clock.now = kst(7, 10)
    chloes = follow_up(week["skys_answer"], members["chloe"])

    clock.now = kst(7, 11)
    assert new_for_you(week["clients"]["sky"]) == [follow_up_link(chloes), answer_link(bees)]


def test_ones_own_answers_and_follow_ups_are_not_listed(week, clock):
    members, questions = week["members"], week["questions"]
    clock.now = kst(7, 9, 30)
    written_answer(questions["sky"], members["sky"])  # to sky's own question
    follow_up(week["skys_answer"], members["sky"])  # on sky's own answer
    clock.now = kst(7, 11)
    assert new_for_you(week["clients"]["sky"]) is None
    # sky answered bee's question at 8:00; bee has never looked, so the newest show.
    assert new_for_you(week["clients"]["bee"]) == [answer_link(week["skys_answer"])]


def test_imported_answers_are_not_listed(week, clock):
    clock.now = kst(7, 9, 30)
    AnswerFactory(question=week["questions"]["sky"], author=week["members"]["chloe"])
    clock.now = kst(7, 11)
    assert new_for_you(week["clients"]["sky"]) is None


def test_visitors_and_accounts_without_a_member_see_no_list(week, clock):
    clock.now = kst(7, 9, 30)
    written_answer(week["questions"]["sky"], week["members"]["bee"])
    clock.now = kst(7, 11)
    assert new_for_you(Client()) is None
    assert new_for_you(sign_in("curator", staff=True, member=False)) is None
    assert b"new-for-you" not in Client().get(week["round"].get_absolute_url()).content


def test_no_reader_sees_anothers_list_through_the_cached_board(week, clock):
    members, questions = week["members"], week["questions"]
    clock.now = kst(7, 9, 30)
    bees = written_answer(questions["sky"], members["bee"])
    clock.now = kst(7, 10)
    chloes = follow_up(week["skys_answer"], members["chloe"])
    clock.now = kst(7, 11)
    clients = week["clients"]
    board = week["round"].get_absolute_url()
    skys = new_for_you(clients["sky"], board)
    assert skys == [follow_up_link(chloes), answer_link(bees)]
    # bee's board comes from the same cached shared part, with bee's own list only.
    assert new_for_you(clients["bee"], board) == [answer_link(week["skys_answer"])]
    assert new_for_you(clients["chloe"], board) is None
    assert new_for_you(Client(), board) is None
    assert new_for_you(clients["sky"], board) == skys


def test_the_list_stays_through_a_visit_and_starts_over_after_an_hour_away(week, clock):
    members, questions = week["members"], week["questions"]
    sky = week["clients"]["sky"]
    clock.now = kst(7, 9, 30)
    bees = written_answer(questions["sky"], members["bee"])
    clock.now = kst(7, 11)
    assert new_for_you(sky) == [answer_link(bees)]
    clock.now = kst(7, 11, 40)  # still the same visit: 40 minutes after the last look
    assert new_for_you(sky) == [answer_link(bees)]
    clock.now = kst(7, 12)
    chloes = written_answer(questions["sky"], members["chloe"])
    clock.now = kst(7, 13)  # back after 80 minutes away: only what came since 11:40
    assert new_for_you(sky) == [answer_link(chloes)]
    assert Member.objects.get(name="sky").new_since == kst(7, 11, 40)


def test_at_most_the_newest_ten_are_listed(week, clock):
    members = week["members"]
    for minute in range(NEW_FOR_YOU_LIMIT + 2):
        clock.now = kst(7, 10, minute)
        follow_up(week["skys_answer"], members["bee"], body=f"꼬리 질문 {minute}")
    clock.now = kst(7, 11)
    links = new_for_you(week["clients"]["sky"])
    assert len(links) == NEW_FOR_YOU_LIMIT
    items = Member.objects.get(name="sky").new_for_you()
    assert [item.at for item in items] == [kst(7, 10, m) for m in range(11, 1, -1)]


def test_a_look_in_the_middle_of_a_visit_writes_nothing_and_a_new_visit_one_update(week, clock):
    sky = week["clients"]["sky"]
    board = week["round"].get_absolute_url()

    def updates_for(client):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(board).status_code == 200
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]

    clock.now = kst(7, 11)
    (update,) = updates_for(sky)  # starts a visit
    assert '"qa_member"' in update
    clock.now = kst(7, 11, 4)
    assert updates_for(sky) == []  # within SEEN_EVERY
    clock.now = kst(7, 11, 6)
    assert len(updates_for(sky)) == 1  # the same visit, seen again
    assert updates_for(Client()) == []  # never for visitors
    sky_member = Member.objects.get(name="sky")
    assert (sky_member.last_seen_at, sky_member.new_since) == (kst(7, 11, 6), kst(7, 9))


def test_the_list_costs_one_query_on_the_board(week, clock, django_assert_num_queries):
    clock.now = kst(7, 9, 30)
    written_answer(week["questions"]["sky"], week["members"]["bee"])
    sky = week["clients"]["sky"]
    board = week["round"].get_absolute_url()
    clock.now = kst(7, 11)
    sky.get(board)  # starts the visit, fills the cached parts
    clock.now = kst(7, 11, 1)
    # Session, account with member, round, the reader's reactions, then the list: the rest
    # is the cached part.
    with django_assert_num_queries(5):
        page = sky.get(board)
    assert b'class="new-for-you"' in page.content
    visitor = Client()
    visitor.get(board)
    with django_assert_num_queries(1):  # a visitor: the round alone, for the cached page
        visitor.get(board)


def test_mark_as_seen_empties_the_list_until_something_new_happens(week, clock):
    members, questions = week["members"], week["questions"]
    sky = week["clients"]["sky"]
    clock.now = kst(7, 9, 30)
    written_answer(questions["sky"], members["bee"])
    clock.now = kst(7, 11)
    page = sky.get("/").content.decode()
    assert f'action="{reverse("qa:new-for-you-seen")}"' in page
    response = sky.post(reverse("qa:new-for-you-seen"), {"next": "/rounds/3/"})
    assert response["Location"] == "/rounds/3/"
    assert new_for_you(sky) is None
    clock.now = kst(7, 11, 10)
    chloes = written_answer(questions["sky"], members["chloe"])
    clock.now = kst(7, 11, 20)
    assert new_for_you(sky) == [answer_link(chloes)]


def test_mark_as_seen_is_a_post_with_a_csrf_token_by_a_member(week, clock):
    url = reverse("qa:new-for-you-seen")
    clock.now = kst(7, 11)
    assert week["clients"]["sky"].get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(week["members"]["sky"].user)
    assert strict.post(url).status_code == 403
    visitor = Client().post(url)
    assert visitor.status_code == 302 and visitor["Location"].startswith("/accounts/login/")
    assert sign_in("curator", staff=True, member=False).post(url).status_code == 403
    assert Member.objects.get(name="sky").new_since is None
    elsewhere = week["clients"]["sky"].post(url, {"next": "https://evil.example.com/"})
    assert elsewhere["Location"] == "/"
    assert Member.objects.get(name="sky").new_since == kst(7, 11)
