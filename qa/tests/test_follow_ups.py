"""Follow-up questions (꼬리 질문): the thread under an answer, asking, editing, deleting, who may,
and what the board counts."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qa.models import FOLLOW_UP_MAX_LENGTH, Answer, FollowUp, FollowUpConflict, Member, Round

from .factories import AnswerFactory, FollowUpFactory, PickFactory, QuestionFactory, RoundFactory
from .people import role_clients, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer():
    question = QuestionFactory(round=RoundFactory(number=3, state=Round.State.ANSWERING))
    PickFactory(question=question)
    return AnswerFactory(question=question, author=Member.objects.create(name="answerer"))


@pytest.fixture
def clients():
    """Each role's client, reading in English: the tests look for the interface's words."""
    return role_clients(language="en")


def member(name):
    return Member.objects.get(name=name)


def add_url(answer):
    return reverse("qa:follow-up-add", args=[answer.pk])


def edit_url(follow_up):
    return reverse("qa:follow-up-edit", args=[follow_up.pk])


def delete_url(follow_up):
    return reverse("qa:follow-up-delete", args=[follow_up.pk])


def page_of(answer, client):
    response = client.get(answer.question.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def revision(round_):
    return Round.objects.get(pk=round_.pk).revision


# The model: stored HTML, the copied round, the board's revision, the constraints.


def test_saving_renders_the_markdown_normalizes_line_breaks_and_copies_the_round(answer):
    follow_up = FollowUp(answer=answer, author=answer.author, body="**왜**\r\n그런가요?")
    follow_up.save()
    assert follow_up.body == "**왜**\n그런가요?"
    assert follow_up.body_html == "<p><strong>왜</strong>\n그런가요?</p>\n"
    assert follow_up.round_id == answer.round_id
    assert follow_up.version == 1


def test_a_script_in_a_follow_up_never_reaches_the_page(answer, clients):
    FollowUpFactory(answer=answer, body='<script>alert("x")</script> [a](javascript:alert(1)) 왜?')
    stored = FollowUp.objects.get()
    assert "<script" not in stored.body_html and 'href="javascript' not in stored.body_html
    for client in clients.values():
        html = page_of(answer, client)
        assert '<script>alert("x")' not in html and 'href="javascript' not in html
        assert "&lt;script&gt;" in html and "왜?" in html


def test_each_write_counts_on_the_board(answer):
    before = revision(answer.round)
    follow_up = FollowUpFactory(answer=answer)
    assert revision(answer.round) == before + 1
    follow_up.edit("고친 질문", follow_up.version)
    assert revision(answer.round) == before + 2
    follow_up.delete()
    assert revision(answer.round) == before + 3


def test_a_blank_follow_up_is_refused_by_the_database(answer):
    with pytest.raises(IntegrityError):
        FollowUp.objects.bulk_create(
            [FollowUp(answer=answer, author=answer.author, round=answer.round, body="")]
        )


def test_a_version_below_one_is_refused_by_the_database(answer):
    follow_up = FollowUpFactory(answer=answer)
    with pytest.raises(IntegrityError):
        FollowUp.objects.filter(pk=follow_up.pk).update(version=0)


def test_an_edit_from_an_older_version_is_a_conflict(answer):
    follow_up = FollowUpFactory(answer=answer, body="처음")
    follow_up.edit("두 번째", 1)
    stale = FollowUp.objects.get(pk=follow_up.pk)
    with pytest.raises(FollowUpConflict):
        stale.edit("세 번째", 1)
    follow_up.refresh_from_db()
    assert (follow_up.body, follow_up.version) == ("두 번째", 2)


def test_a_move_of_the_question_to_another_round_takes_the_follow_ups_along(answer):
    follow_up = FollowUpFactory(answer=answer)
    other = RoundFactory(number=9)
    question = answer.question
    question.round = other
    question.save()
    follow_up.refresh_from_db()
    assert follow_up.round_id == other.pk


def test_rebuild_derived_restores_the_stored_html(answer):
    follow_up = FollowUpFactory(answer=answer, body="*a*")
    FollowUp.objects.filter(pk=follow_up.pk).update(body_html="stale")
    call_command("rebuild_derived", stdout=StringIO())
    follow_up.refresh_from_db()
    assert follow_up.body_html == "<p><em>a</em></p>\n"


# The thread on the question's page.


def test_the_thread_shows_oldest_first_with_author_and_time(answer, clients):
    first = FollowUpFactory(answer=answer, author=member("other"), body="첫 번째 꼬리")
    second = FollowUpFactory(answer=answer, author=member("member"), body="두 번째 꼬리")
    html = page_of(answer, clients["visitor"])
    assert html.index(f'id="follow-up-{first.pk}"') < html.index(f'id="follow-up-{second.pk}"')
    assert html.index("첫 번째 꼬리") < html.index("두 번째 꼬리")
    thread = html[html.index(f'id="follow-up-{first.pk}"'):]
    assert member("other").get_absolute_url() in thread[: thread.index("첫 번째 꼬리")]
    assert f'datetime="{timezone.localtime(first.created).isoformat()}"' in thread


def test_the_form_and_the_buttons_are_each_readers_own(answer, clients):
    follow_up = FollowUpFactory(answer=answer, author=member("member"))
    form = f'action="{add_url(answer)}"'
    edit, delete = f'href="{edit_url(follow_up)}"', f'href="{delete_url(follow_up)}"'
    promote = reverse("qa:follow-up-promote", args=[follow_up.pk])
    shown = {role: page_of(answer, client) for role, client in clients.items()}
    assert form not in shown["visitor"]
    assert all(form in shown[role] for role in ("member", "other", "curator"))
    assert edit in shown["member"] and delete in shown["member"] and promote in shown["member"]
    assert not any(button in shown["other"] for button in (edit, delete, promote))
    assert edit not in shown["curator"]
    assert delete in shown["curator"] and promote in shown["curator"]
    assert delete not in shown["visitor"]
    # The shared part, cached for everyone, holds no one's buttons: the visitor's page again.
    assert edit not in page_of(answer, clients["visitor"])


def test_a_member_follows_up_and_lands_on_it(answer, clients):
    response = clients["other"].post(add_url(answer), {"body": "그럼 **L7**은요?"})
    follow_up = FollowUp.objects.get()
    assert response.status_code == 302
    assert response["Location"] == follow_up.get_absolute_url()
    assert follow_up.get_absolute_url().endswith(f"#follow-up-{follow_up.pk}")
    assert (follow_up.author.name, follow_up.answer_id) == ("other", answer.pk)
    assert "<strong>L7</strong>" in page_of(answer, clients["visitor"])


def test_a_blank_or_too_long_follow_up_is_a_form_error_that_keeps_the_text(answer, clients):
    blank = clients["other"].post(add_url(answer), {"body": "   "})
    long_text = "가" * (FOLLOW_UP_MAX_LENGTH + 1)
    too_long = clients["other"].post(add_url(answer), {"body": long_text})
    assert blank.status_code == 200 and blank.context["form"].errors["body"]
    assert too_long.status_code == 200 and too_long.context["form"].errors["body"]
    assert too_long.context["form"]["body"].value() == long_text
    assert not FollowUp.objects.exists()


def test_who_may_follow_up(answer, clients):
    visitor = clients["visitor"].post(add_url(answer), {"body": "왜?"})
    assert visitor.status_code == 302 and visitor["Location"].startswith(reverse("account_login"))
    no_member = sign_in("account-only", member=False).post(add_url(answer), {"body": "왜?"})
    assert no_member.status_code == 403
    assert clients["other"].get(add_url(answer)).status_code == 405
    assert not FollowUp.objects.exists()
    for role in ("member", "curator"):
        assert clients[role].post(add_url(answer), {"body": f"{role}의 질문"}).status_code == 302
    assert FollowUp.objects.count() == 2


def test_on_a_draft_round_only_curators_follow_up(answer, clients):
    Round.objects.filter(pk=answer.round_id).update(state=Round.State.DRAFT)
    assert clients["member"].post(add_url(answer), {"body": "왜?"}).status_code == 404
    assert clients["curator"].post(add_url(answer), {"body": "왜?"}).status_code == 302


def test_follow_ups_stay_open_after_the_round_closes(answer, clients):
    Round.objects.filter(pk=answer.round_id).update(state=Round.State.CLOSED)
    assert clients["other"].post(add_url(answer), {"body": "지난주 답변에 질문"}).status_code == 302


def test_posting_needs_the_csrf_token(answer):
    client = sign_in("strict", enforce_csrf_checks=True)
    assert client.post(add_url(answer), {"body": "왜?"}).status_code == 403
    follow_up = FollowUpFactory(answer=answer, author=member("strict"))
    assert client.post(edit_url(follow_up), {"body": "x", "version": 1}).status_code == 403
    assert client.post(delete_url(follow_up)).status_code == 403
    promote = reverse("qa:follow-up-promote", args=[follow_up.pk])
    assert client.post(promote).status_code == 403
    assert FollowUp.objects.get().body == follow_up.body


# Editing and deleting.


def test_the_author_edits_and_the_page_shows_it(answer, clients):
    follow_up = FollowUpFactory(answer=answer, author=member("member"), body="처음")
    page = clients["member"].get(edit_url(follow_up))
    assert page.status_code == 200
    assert page.context["form"]["version"].value() == 1
    response = clients["member"].post(edit_url(follow_up), {"body": "고친 _꼬리_", "version": 1})
    assert response.status_code == 302 and response["Location"] == follow_up.get_absolute_url()
    follow_up.refresh_from_db()
    assert (follow_up.body, follow_up.version) == ("고친 _꼬리_", 2)
    assert "고친 <em>꼬리</em>" in page_of(answer, clients["visitor"])


def test_others_may_not_edit(answer, clients):
    follow_up = FollowUpFactory(answer=answer, author=member("member"), body="처음")
    edit = {"body": "x", "version": 1}
    for role in ("other", "curator"):
        assert clients[role].get(edit_url(follow_up)).status_code == 403
        assert clients[role].post(edit_url(follow_up), edit).status_code == 403
    assert clients["visitor"].post(edit_url(follow_up), edit).status_code == 302
    assert FollowUp.objects.get().body == "처음"


def test_a_stale_edit_is_refused_and_keeps_both_texts(answer, clients):
    follow_up = FollowUpFactory(answer=answer, author=member("member"), body="처음")
    client = clients["member"]
    first = client.post(edit_url(follow_up), {"body": "다른 탭의 수정", "version": 1})
    assert first.status_code == 302
    second = client.post(edit_url(follow_up), {"body": "이 탭의 <b>수정</b>", "version": 1})
    assert second.status_code == 409
    html = second.content.decode()
    assert "이 탭의 &lt;b&gt;수정&lt;/b&gt;" in html and "다른 탭의 수정" in html
    assert second.context["form"]["body"].value() == "이 탭의 <b>수정</b>"
    assert second.context["form"]["version"].value() == 2
    follow_up.refresh_from_db()
    assert (follow_up.body, follow_up.version) == ("다른 탭의 수정", 2)
    # Saved again from the conflict page, over the version it showed, it goes through.
    third = client.post(edit_url(follow_up), {"body": "합친 수정", "version": 2})
    assert third.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.body, follow_up.version) == ("합친 수정", 3)


def test_an_edit_without_its_version_is_a_form_error_that_keeps_the_text(answer, clients):
    follow_up = FollowUpFactory(answer=answer, author=member("member"), body="처음")
    response = clients["member"].post(edit_url(follow_up), {"body": "버전 없는 수정"})
    assert response.status_code == 200
    assert response.context["form"].errors["version"]
    assert response.context["form"]["body"].value() == "버전 없는 수정"
    assert FollowUp.objects.get().body == "처음"


def test_an_edit_saves_only_the_text_so_a_promotion_meanwhile_stays(answer):
    follow_up = FollowUpFactory(answer=answer)
    loaded = FollowUp.objects.get(pk=follow_up.pk)  # before the promotion
    question = QuestionFactory(round=RoundFactory(number=4, state=Round.State.QUESTIONS_OPEN))
    FollowUp.objects.filter(pk=follow_up.pk).update(promoted_to=question)
    loaded.edit("고친 질문", loaded.version)
    follow_up.refresh_from_db()
    assert (follow_up.body, follow_up.promoted_to_id) == ("고친 질문", question.pk)


def test_the_author_and_curators_delete_after_a_confirmation(answer, clients):
    mine = FollowUpFactory(answer=answer, author=member("member"))
    moderated = FollowUpFactory(answer=answer, author=member("member"))
    confirm = clients["member"].get(delete_url(mine))
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    assert FollowUp.objects.count() == 2
    response = clients["member"].post(delete_url(mine))
    assert response.status_code == 302 and response["Location"] == answer.get_absolute_url()
    assert clients["curator"].post(delete_url(moderated)).status_code == 302
    assert not FollowUp.objects.exists()


def test_other_members_and_visitors_may_not_delete(answer, clients):
    follow_up = FollowUpFactory(answer=answer, author=member("member"))
    assert clients["other"].get(delete_url(follow_up)).status_code == 403
    assert clients["other"].post(delete_url(follow_up)).status_code == 403
    assert clients["visitor"].post(delete_url(follow_up)).status_code == 302
    assert FollowUp.objects.filter(pk=follow_up.pk).exists()


def test_follow_ups_on_a_draft_round_are_hidden_from_members(answer, clients):
    follow_up = FollowUpFactory(answer=answer, author=member("member"))
    Round.objects.filter(pk=answer.round_id).update(state=Round.State.DRAFT)
    assert clients["member"].get(edit_url(follow_up)).status_code == 404
    assert clients["member"].post(delete_url(follow_up)).status_code == 404


# The board: how many follow-ups each answer has, at a query cost that does not grow.


def board_with_follow_ups(number, members):
    round_ = RoundFactory(number=number, state=Round.State.ANSWERING)
    people = [Member.objects.create(name=f"b{number}-{i}") for i in range(members)]
    for i, author in enumerate(people):
        question = QuestionFactory(round=round_, author=author)
        PickFactory(question=question, picker=people[(i + 1) % members])
        answer = AnswerFactory(question=question, author=people[(i + 1) % members])
        for j in range(i % 3):
            FollowUpFactory(answer=answer, author=people[(i + j + 2) % members])
    return round_


def board_queries(client, round_):
    for cache in caches.all():
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(round_.get_absolute_url())
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_the_board_counts_follow_ups_without_a_query_per_answer(role, clients):
    client = clients[role]
    boards = board_with_follow_ups(1, members=3), board_with_follow_ups(2, members=12)
    # A visit under way: a member's first view of one writes its start (Member.saw_board()).
    client.get("/")
    small, small_html = board_queries(client, boards[0])
    large, large_html = board_queries(client, boards[1])
    assert small == large
    for html, number in ((small_html, 1), (large_html, 2)):
        answers = Answer.objects.filter(round__number=number).annotate(n=Count("follow_ups"))
        assert {answer.n for answer in answers} == {0, 1, 2}
        for answer in answers:
            link = f'class="answer__follow-up-count" href="{answer.get_absolute_url()}"'
            assert (link in html) == bool(answer.n)


def test_the_board_count_says_how_many(clients):
    round_ = board_with_follow_ups(1, members=3)
    _queries, html = board_queries(clients["visitor"], round_)
    assert "1 follow-up question<" in html and "2 follow-up questions<" in html


def test_the_question_page_loads_every_thread_in_one_query(clients):
    sizes = []
    for number, members in ((1, 3), (2, 9)):
        round_ = board_with_follow_ups(number, members)
        question = round_.questions.filter(answers__follow_ups__isnull=False).first()
        for _ in range(members):
            FollowUpFactory(answer=question.answers.get(), author=question.author)
        for cache in caches.all():
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert clients["member"].get(question.get_absolute_url()).status_code == 200
        sizes.append(len(queries))
    assert sizes[0] == sizes[1]


def test_a_new_follow_up_shows_on_the_cached_board_and_page(answer, clients):
    visitor = clients["visitor"]
    assert "answer__follow-up-count" not in board_html(visitor, answer)
    page_of(answer, visitor)
    clients["other"].post(add_url(answer), {"body": "캐시를 넘는 꼬리"})
    assert "answer__follow-up-count" in board_html(visitor, answer)
    assert "캐시를 넘는 꼬리" in page_of(answer, visitor)


def board_html(client, answer):
    return client.get(answer.round.get_absolute_url()).content.decode()


def test_the_admin_lists_and_searches_follow_ups(answer, clients):
    FollowUpFactory(answer=answer, body="검색될 꼬리")
    admin = Client()
    admin.force_login(
        get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345!")
    )
    listing = admin.get(reverse("admin:qa_followup_changelist"), {"q": "검색될"})
    assert listing.status_code == 200 and "검색될 꼬리" in listing.content.decode()
    follow_up = FollowUp.objects.get()
    change = admin.get(reverse("admin:qa_followup_change", args=[follow_up.pk]))
    assert change.status_code == 200

