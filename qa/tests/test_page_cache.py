"""Visitors get the board and question pages whole from the cache, and never a stale one."""

from unittest.mock import patch

import pytest
from django.core.cache import cache, caches
from django.test import Client

from qa import pagecache
from studygroup.release import code_release

from qa.models import Answer, Member, Pick, Question, Round

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory
from .people import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(make_round):
    return make_round(members=3, questions_each=3)


def main(response):
    """The page below the header: what differs between the cases below."""
    assert response.status_code == 200
    return response.content.decode().split('<main id="main"')[1]


def board(client, round_):
    return main(client.get(round_.get_absolute_url()))


def rendered(response):
    """Whether the view rendered the page, rather than serving a cached copy."""
    return bool(response.templates)


# What a cached page costs in queries is pinned in test_scale.PAGES ("board, again", ...).
def test_a_visitors_second_board_comes_from_the_cache(client, week):
    first = client.get(week.get_absolute_url())
    second = client.get(week.get_absolute_url())
    assert rendered(first) and not rendered(second)
    assert second.content == first.content
    assert second.content.decode().count('class="answer"') == 3
    # Nothing in a visitor's page is theirs alone: no CSRF token, no cookie.
    assert b"csrfmiddlewaretoken" not in second.content
    assert not second.cookies


def test_a_visitors_second_question_page_comes_from_the_cache(client, week):
    question = Question.objects.filter(picks__isnull=False).first()
    first = client.get(question.get_absolute_url())
    second = client.get(question.get_absolute_url())
    assert rendered(first) and not rendered(second)
    assert main(second) == main(first)
    assert question.answers.get().body_html in main(second)


def test_a_visitors_second_member_page_comes_from_the_cache_until_anything_changes(client, week):
    member = Member.objects.filter(questions__round=week).order_by("name").first()
    path = member.get_absolute_url()
    first = client.get(path)
    second = client.get(path)
    assert rendered(first) and not rendered(second)
    assert second.content == first.content
    assert b"csrfmiddlewaretoken" not in second.content and not second.cookies
    question = member.questions.first()
    question.text = "고친 질문: 캐시"
    question.save()
    after = client.get(path)
    assert rendered(after) and "고친 질문: 캐시" in main(after)
    # Another list position, or a reader signed in, is rendered as before.
    assert rendered(client.get(f"{path}?questions_before={week.number + 1}"))
    signed_in = sign_in("member-page-reader").get(path)
    assert rendered(signed_in) and b"csrfmiddlewaretoken" in signed_in.content


def edit_answer(round_):
    answer = Answer.objects.filter(question__round=round_).first()
    answer.body = "고친 답변: **캐시 무효화**"
    answer.save()
    return "고친 답변: <strong>캐시 무효화</strong>"


def add_answer(round_):
    question = Question.objects.filter(round=round_, picks__isnull=False).first()
    AnswerFactory(question=question, author=MemberFactory(name="새 답변자"), body="새 답변입니다")
    return "새 답변입니다"


def pick_another(round_):
    question = Question.objects.filter(round=round_, picks__isnull=True).first()
    PickFactory(question=question, picker=None)
    return f'id="picked-{question.pk}"'


def take_back_pick(round_):
    pick = Pick.objects.filter(round=round_).select_related("question").first()
    Answer.objects.filter(question=pick.question).delete()
    Pick.objects.filter(question=pick.question).delete()
    return f'id="picked-{pick.question_id}"'


def rename_member(round_):
    member = Member.objects.filter(questions__round=round_).first()
    member.name = "이름을바꾼멤버"
    member.save()
    return "이름을바꾼멤버"


def close_round_from_the_admin_action(round_):
    Round.objects.filter(pk=round_.pk).update(state=Round.State.CLOSED)
    return "badge--closed"


def delete_question(round_):
    question = Question.objects.filter(round=round_, picks__isnull=True).last()
    marker = f'id="question-{question.pk}"'
    question.delete()
    return marker


@pytest.mark.parametrize(
    "change, shows",
    [
        (edit_answer, True),
        (add_answer, True),
        (pick_another, True),
        (rename_member, True),
        (close_round_from_the_admin_action, True),
        (take_back_pick, False),
        (delete_question, False),
    ],
)
def test_every_change_reaches_visitors_at_once(client, week, change, shows):
    before = board(client, week)
    board(client, week)  # served from the cache
    marker = change(week)
    after = board(client, week)
    assert after != before
    assert (marker in after) is shows
    assert (marker in before) is not shows


def test_each_change_counts_once_in_the_rounds_revision(week):
    def revision():
        return Round.objects.get(pk=week.pk).revision

    start = revision()
    question = Question.objects.filter(round=week, picks__isnull=True).first()
    question.text = "고친 질문"
    question.save()
    assert revision() == start + 1
    PickFactory(question=question, picker=None)
    assert revision() == start + 2
    answer = Answer.objects.filter(question__round=week).first()
    answer.body = "고친 답변"
    answer.save()
    assert revision() == start + 3
    question.move(1)
    assert revision() == start + 4
    member = answer.author
    member.user = None
    member.save(update_fields=["user"])  # linking an account shows nowhere
    assert revision() == start + 4
    member.name = "새이름"
    member.save()
    assert revision() == start + 5


def test_moving_a_question_reorders_the_cached_board(client, week):
    first, second = Question.objects.filter(round=week, position__in=[1, 2]).order_by(
        "author", "position"
    )[:2]
    before = board(client, week)
    assert before.index(f'id="question-{first.pk}"') < before.index(f'id="question-{second.pk}"')
    second.move(-1)
    after = board(client, week)
    assert after.index(f'id="question-{second.pk}"') < after.index(f'id="question-{first.pk}"')


def test_deleting_an_answer_reaches_the_question_page(client, week):
    question = Question.objects.filter(round=week, picks__isnull=False).first()
    body = question.answers.get().body_html
    assert body in main(client.get(question.get_absolute_url()))
    question.answers.get().delete()
    assert body not in main(client.get(question.get_absolute_url()))


def test_signed_in_members_never_get_the_visitors_html(client, week):
    board(client, week)  # a visitor fills the cache
    author = Member.objects.filter(questions__round=week).first()
    member = sign_in("picker-in-waiting")
    Round.objects.filter(pk=week.pk).update(state=Round.State.ANSWERING)
    html = board(member, week)
    assert "csrfmiddlewaretoken" in html  # their own pick buttons, with their own token
    assert f'<a href="{author.get_absolute_url()}">{author.name}</a>' in html


def test_a_members_board_is_not_what_visitors_get(client, week):
    member = sign_in("first-reader")
    Round.objects.filter(pk=week.pk).update(state=Round.State.ANSWERING)
    assert "csrfmiddlewaretoken" in board(member, week)
    assert "csrfmiddlewaretoken" not in board(client, week)


def test_each_language_has_its_own_cached_board(week):
    korean = board(Client(), week)
    english = board(Client(headers={"accept-language": "en"}), week)
    assert "답변" in korean and "Answers" not in korean
    assert "Answers" in english


def test_the_home_page_and_the_round_page_are_cached_apart(week):
    english = Client(headers={"accept-language": "en"})
    assert "This week ·" in main(english.get("/"))
    assert "This week ·" not in board(english, week)  # only the home page says so
    assert "This week ·" in main(english.get("/"))


def test_pages_with_a_query_string_or_a_message_are_rendered_not_cached(client, week):
    board(client, week)
    board_with_query = client.get(week.get_absolute_url(), {"utm": "x"})
    assert board_with_query.status_code == 200
    # Rendered: the query string could fill the cache with copies.
    assert rendered(board_with_query)
    client.cookies["messages"] = "not a valid signed value"  # invalid: dropped, no message
    assert not rendered(client.get(week.get_absolute_url()))


def test_each_round_has_its_own_cached_board(client):
    sky = MemberFactory(name="sky")
    first = RoundFactory(number=1)
    second = RoundFactory(number=2)
    QuestionFactory(round=first, author=sky, position=1, text="첫 주 질문")
    QuestionFactory(round=second, author=sky, position=1, text="둘째 주 질문")
    assert "첫 주 질문" in board(client, first)
    assert "둘째 주 질문" in board(client, second)
    assert "첫 주 질문" not in board(client, second)


def test_a_visitor_who_is_shown_a_message_gets_a_rendered_page(client, week):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.contrib.messages.storage.base import Message
    from django.http import HttpRequest, HttpResponse

    board(client, week)  # cached without a message
    storage = CookieStorage(HttpRequest())
    response = HttpResponse()
    storage._store([Message(constants.SUCCESS, "로그아웃했습니다 (테스트)")], response)
    client.cookies["messages"] = response.cookies["messages"].value
    assert "로그아웃했습니다 (테스트)" in client.get(week.get_absolute_url()).content.decode()
    assert "로그아웃했습니다 (테스트)" not in client.get(week.get_absolute_url()).content.decode()


def test_moving_a_question_to_another_round_changes_both_boards(client, week):
    other = RoundFactory(number=2)
    question = Question.objects.filter(round=week, picks__isnull=False).first()
    answer = question.answers.get()
    before = {r.pk: r.revision for r in Round.objects.all()}
    assert f'id="question-{question.pk}"' in board(client, week)
    question.round = other  # as the admin's question form allows
    question.save()
    answer.refresh_from_db()
    assert answer.round == other and question.picks.get().round == other
    after = {r.pk: r.revision for r in Round.objects.all()}
    assert after[week.pk] > before[week.pk] and after[other.pk] > before[other.pk]
    assert f'id="question-{question.pk}"' not in board(client, week)
    assert f'id="question-{question.pk}"' in board(client, other)


def test_an_answer_moved_to_another_question_leaves_its_old_board(client, week):
    other = RoundFactory(number=2)
    target = QuestionFactory(round=other, author=MemberFactory(name="다른 회차"), position=1)
    PickFactory(question=target, picker=None)
    answer = Answer.objects.filter(question__round=week).first()
    assert f'id="answer-{answer.pk}"' in board(client, week)
    answer.question = target
    answer.save()
    assert answer.round == other
    assert f'id="answer-{answer.pk}"' not in board(client, week)
    assert f'id="answer-{answer.pk}"' in board(client, other)


def test_a_worker_serves_its_latest_pages_from_its_own_memory(client, week):
    first = client.get(week.get_absolute_url())
    cache.clear()  # the shared cache (Redis in production) loses the page
    assert client.get(week.get_absolute_url()).content == first.content
    caches["pages"].clear()
    edit_answer(week)  # served from neither now: rendered again, with the edit
    assert "캐시 무효화" in board(client, week)


def test_a_new_release_never_serves_pages_of_the_previous_one(client, week, settings):
    settings.STUDYBOARD_RELEASE = "before"
    first = client.get(week.get_absolute_url()).content
    # A deploy changed a template; the data did not change, so the version is the same.
    with patch("qa.pagecache.render", wraps=pagecache.render) as render:
        assert client.get(week.get_absolute_url()).content == first
        assert not render.called
        settings.STUDYBOARD_RELEASE = "after"
        client.get(week.get_absolute_url())
        assert render.called


def test_without_a_release_variable_the_code_names_the_release(tmp_path):
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>one</p>")
    first = code_release(tmp_path)
    assert code_release(tmp_path) == first
    page.write_text("<p>two</p>")
    assert code_release(tmp_path) != first


@pytest.mark.django_db(False)
def test_the_redis_cache_keeps_one_client_and_still_reads_and_writes():
    import os

    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/10")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    shared = pagecache.RedisCache(url, {"KEY_PREFIX": "test-kept-client"})
    client = shared._cache.get_client("a")
    assert shared._cache.get_client("b", write=True) is client
    shared.set("a", {"page": "보드"}, 30)
    assert shared.get("a") == {"page": "보드"}
    assert shared.add("n", 1, 30) and shared.incr("n") == 2  # the rate limits' counter
    shared.delete_many(["a", "n"])
    assert shared.get("a") is None
