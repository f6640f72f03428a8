"""A signed-in reader's pages are kept whole for them alone (qa.pagecache.cached_page()): with
their own fresh CSRF token on each response, and never past a change to anything they show."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.http import Http404
from django.shortcuts import render

from qa import pagecache
from qa.backends import ACCOUNTS, MemberBackend
from qa.models import FollowUp, Member, Question, Round

from .conftest import kst
from .factories import (
    AnswerFactory,
    MemberFactory,
    PickFactory,
    QuestionFactory,
    RoundFactory,
    UserFactory,
)
from .people import sign_in
from .test_page_parts import TOKEN, page, pick_forms

pytestmark = pytest.mark.django_db


def rendered(response):
    """Whether the view rendered the page, rather than serving a kept copy."""
    return bool(response.templates)


def without_tokens(html):
    return TOKEN.sub("TOKEN", html)


def test_a_readers_second_page_is_their_kept_copy_with_a_token_of_its_own(readers):
    round_, people = readers
    member, client = people["first"]
    first, first_html = page(client, round_.get_absolute_url())
    second, second_html = page(client, round_.get_absolute_url())
    assert rendered(first) and not rendered(second)
    assert without_tokens(second_html) == without_tokens(first_html)
    assert pick_forms(second_html) == pick_forms(first_html) != set()
    # Masked anew for each response, as Django does, and good for this session.
    tokens = set(TOKEN.findall(second_html))
    assert len(tokens) == 1 and tokens.isdisjoint(TOKEN.findall(first_html))
    question = Question.objects.get(pk=min(pick_forms(second_html)))
    response = client.post(
        f"/questions/{question.pk}/pick/", {"pick": "1", "csrfmiddlewaretoken": tokens.pop()}
    )
    assert response.status_code == 302
    assert question.picks.filter(picker=member).exists()


def test_each_reader_keeps_their_own_page_and_no_one_gets_anothers(readers):
    round_, people = readers
    path = round_.get_absolute_url()
    pages = {}
    for name, (_member, client) in people.items():
        page(client, path)
    for name, (_member, client) in people.items():
        response, html = page(client, path)  # each reader's kept copy, or the visitors'
        assert not rendered(response)
        pages[name] = html
    assert len({without_tokens(html) for html in pages.values()}) == len(pages)
    for name, html in pages.items():
        member = people[name][0]
        if member is None:
            assert not TOKEN.findall(html) and "account__name" not in html
            continue
        assert f"{member.name}" in html.split('class="account__name"')[1].split("</a>")[0]
        for other, other_html in pages.items():
            if other != name:
                assert set(TOKEN.findall(html)).isdisjoint(TOKEN.findall(other_html))


@pytest.mark.parametrize("kind", ["board", "question", "member"])
def test_the_stand_in_for_the_token_never_reaches_a_reader(readers, kind):
    round_, people = readers
    member, client = people["first"]
    path = {
        "board": round_.get_absolute_url(),
        "question": Question.objects.filter(round=round_).first().get_absolute_url(),
        "member": member.get_absolute_url(),
    }[kind]
    for _request in range(2):
        response, html = page(client, path)
        assert pagecache.CSRF_STAND_IN not in html
        assert pagecache.CSRF_STAND_IN.encode() not in response.content
    # Kept cut where the stand-in was, to be joined with each response's own token.
    kept = [value[1] for value in caches["pages"]._cache.values() if isinstance(value, tuple)]
    pieces = [content for content in kept if isinstance(content, list)]
    assert any(len(content) > 1 for content in pieces)
    assert not any(pagecache.CSRF_STAND_IN.encode() in piece for p in pieces for piece in p)


def test_a_page_with_a_message_is_rendered_for_the_reader_and_not_kept(readers):
    round_, people = readers
    member, client = people["first"]
    path = round_.get_absolute_url()
    _response, html = page(client, path)
    token = TOKEN.findall(html)[0]
    saved = {"name": member.name, "notify_by_email": "on", "csrfmiddlewaretoken": token}
    assert client.post("/profile/", saved).status_code == 302  # "Your profile is saved."
    response, html = page(client, path)
    assert rendered(response) and 'class="messages"' in html
    # Saving a profile counts as a rename, so the page is rendered once more, then kept.
    for kept in (False, True):
        response, html = page(client, path)
        assert rendered(response) is not kept and 'class="messages"' not in html


# Changes that must show on a reader's kept page at once, each (change, what the page shows).


def question_elsewhere(reader, round_):
    """The reader's picked question in the next round, which the tests below start from."""
    other_round = RoundFactory(number=round_.number + 1, state=Round.State.ANSWERING)
    question = QuestionFactory(round=other_round, author=reader, text="다른 주의 질문")
    PickFactory(question=question)
    return question


def answered_elsewhere(reader, round_):
    """Someone answers the reader's question in another round: their "new for you" grows."""
    question = Question.objects.get(text="다른 주의 질문")
    writer = MemberFactory(name="writer", user=UserFactory(username="writer", password=None))
    AnswerFactory(question=question, author=writer, body="답", edited_by=writer.user)
    return 'class="new-for-you"'


def made_curator(reader, round_):
    get_user_model().objects.filter(pk=reader.user_id).update(is_staff=True)
    return 'href="/admin/"'


def renamed(reader, round_):
    reader.name = "새이름"
    reader.save()
    return "새이름"


def writer_renamed():
    """The name of who answered, in the reader's "new for you", follows a rename."""
    writer = Member.objects.get(name="writer")
    writer.name = "작성자"
    writer.save()
    return "작성자"


def question_reworded():
    """The reader's question, as "new for you" names it, follows an edit."""
    question = Question.objects.get(text="다른 주의 질문")
    question.text = "고쳐 쓴 질문"
    question.save()
    return "고쳐 쓴 질문"


CHANGES = {
    "answered elsewhere": answered_elsewhere,
    "made a curator": made_curator,
    "renamed": renamed,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_to_what_the_reader_sees_of_themselves_shows_at_once(readers, change):
    round_, people = readers
    member, client = people["first"]
    path = round_.get_absolute_url()
    question_elsewhere(member, round_)  # its round, a neighbour the board links to, first
    page(client, path)
    _response, before = page(client, path)
    shows = CHANGES[change](member, round_)
    assert shows not in before
    response, after = page(client, path)
    assert rendered(response)
    assert shows in after


@pytest.fixture
def answered(readers, clock):
    """The first reader's client and board, with their question in the next round answered at
    9:00 by someone else."""
    round_, people = readers
    member, client = people["first"]
    clock.now = kst(7, 9)
    question_elsewhere(member, round_)
    answered_elsewhere(member, round_)
    return client, round_.get_absolute_url()


@pytest.mark.parametrize("change", [writer_renamed, question_reworded])
def test_new_for_you_on_a_kept_page_follows_renames_and_edits(answered, change, clock):
    client, path = answered
    page(client, path)
    shows = change()
    # Within the minute a page saying how long ago is kept for (below): the change renews it.
    clock.now = kst(7, 9, 0, 30)
    response, html = page(client, path)
    assert rendered(response)
    assert shows in html.split('class="new-for-you"')[1].split("</section>")[0]


def test_a_page_that_says_how_long_ago_is_kept_for_a_minute(answered, clock):
    client, path = answered
    clock.now = kst(7, 9, 5)
    first, html = page(client, path)
    assert rendered(first) and '<time class="muted"' in html  # "5분 전"
    clock.now = kst(7, 9, 5, 59)
    kept, _html = page(client, path)
    assert not rendered(kept)
    clock.now = kst(7, 9, 6, 1)
    later, _html = page(client, path)
    assert rendered(later)
    # Without the list, the page is kept as long as nothing changes.
    client.post("/new-for-you/seen/", {"next": path, "csrfmiddlewaretoken": TOKEN.findall(_html)[0]})
    page(client, path)
    clock.now = kst(7, 9, 8)
    assert not rendered(page(client, path)[0])


def test_marking_news_as_seen_empties_the_kept_list(answered):
    client, path = answered
    _response, html = page(client, path)
    assert 'class="new-for-you"' in html
    token = TOKEN.findall(html)[0]
    client.post("/new-for-you/seen/", {"next": path, "csrfmiddlewaretoken": token})
    assert 'class="new-for-you"' not in page(client, path)[1]


# What counts in a member's news_revision, which keys their kept pages.


def news(*members):
    return [Member.objects.get(pk=m.pk).news_revision for m in members]


def test_an_answer_counts_in_its_question_authors_news_only():
    question = QuestionFactory(round=RoundFactory(uses_picks=False))
    author, writer, bystander = question.author, MemberFactory(), MemberFactory()
    before = news(author, writer, bystander)
    answer = AnswerFactory(question=question, author=writer)
    after_answer = news(author, writer, bystander)
    assert after_answer == [before[0] + 1, before[1], before[2]]
    answer.delete()
    assert news(author, writer, bystander) == [before[0] + 2, before[1], before[2]]


def test_a_follow_up_counts_in_its_answer_authors_news():
    answer = AnswerFactory(question__round=RoundFactory(uses_picks=False))
    asker = MemberFactory()
    before = news(answer.author, asker)
    follow_up = FollowUp.objects.create(answer=answer, author=asker, round=answer.round, body="왜?")
    assert news(answer.author, asker) == [before[0] + 1, before[1]]
    follow_up.delete()
    assert news(answer.author, asker)[0] == before[0] + 2


def test_a_question_edit_counts_for_its_author_and_its_answerers():
    answer = AnswerFactory(question__round=RoundFactory(uses_picks=False))
    question, bystander = answer.question, MemberFactory()
    before = news(question.author, answer.author, bystander)
    question.text = "고친 질문"
    question.save()
    assert news(question.author, answer.author, bystander) == [
        before[0] + 1, before[1] + 1, before[2]
    ]  # fmt: skip


def test_a_rename_counts_for_everyone_and_a_pick_for_no_one():
    question = QuestionFactory(round=RoundFactory(state=Round.State.QUESTIONS_OPEN))
    members = [question.author, MemberFactory(), MemberFactory()]
    before = news(*members)
    PickFactory(question=question, picker=members[1])
    assert news(*members) == before
    members[2].name = "다른이름"
    members[2].save()
    assert news(*members) == [n + 1 for n in before]


# The account and the figures each page asks for, compiled once.


def test_the_compiled_account_query_gives_what_the_orm_gives():
    with_member = sign_in("with-member")
    assert with_member  # signed in: the account exists
    users = get_user_model().objects.select_related("member")
    user = users.get(username="with-member")
    Member.objects.filter(user=user).update(last_seen_at=kst(7, 9), new_since=kst(7, 8))
    lone = get_user_model().objects.create_user("no-member")
    query = ACCOUNTS

    loaded = query.get(user.pk)
    expected = users.get(pk=user.pk)
    assert loaded == expected and loaded.__dict__.keys() == expected.__dict__.keys()
    for field in ("username", "is_staff", "is_active", "date_joined", "last_login"):
        assert getattr(loaded, field) == getattr(expected, field)
    assert loaded.member.pk == expected.member.pk
    assert loaded.member.new_since == kst(7, 8) and loaded.member.last_seen_at == kst(7, 9)
    assert loaded.member.user is loaded  # no query to go back
    assert query.get(lone.pk).username == "no-member"
    with pytest.raises(Member.DoesNotExist):
        query.get(lone.pk).member  # noqa: B018  (known missing, as select_related leaves it)
    assert query.get(lone.pk + 1000) is None


def test_an_inactive_account_is_not_signed_in():
    user = get_user_model().objects.create_user("gone", is_active=False)
    assert MemberBackend().get_user(user.pk) is None
    user.is_active = True
    user.save()
    assert MemberBackend().get_user(user.pk) == user


# The stand-in for the token, where a page is not a plain 200.


def test_a_page_that_is_not_kept_still_gets_its_token_and_never_the_stand_in(readers, rf):
    _round, people = readers
    member, _client = people["first"]
    request = rf.get("/somewhere/")
    request.user, request.session = member.user, {}

    def refused():
        return render(request, "qa/_account.html", status=403)

    response = pagecache.cached_page(request, "v1", refused)
    assert response.status_code == 403 and TOKEN.findall(response.content.decode())
    assert pagecache.CSRF_STAND_IN.encode() not in response.content

    def missing():
        raise Http404

    with pytest.raises(Http404):
        pagecache.cached_page(request, "v2", missing)
    # The error page rendered next gets the request's own token.
    assert pagecache.csrf_stand_in(request) == {}


def test_a_new_secret_key_never_serves_a_page_kept_with_the_old_stand_in(readers, monkeypatch):
    round_, people = readers
    _member, client = people["first"]
    page(client, round_.get_absolute_url())
    monkeypatch.setattr(pagecache, "CSRF_STAND_IN", "0" * 32)  # as another secret makes it
    response, html = page(client, round_.get_absolute_url())
    assert rendered(response) and TOKEN.findall(html)
