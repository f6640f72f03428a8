"""👍 💡 ❓ on answers: one of each per member, toggled with a POST (JSON for the page's script),
counted on the board and the question page with no query per answer, each reader's own pressed
buttons never served to another from the cached parts."""

import re
from functools import partial

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db import IntegrityError, connection
from django.template.loader import get_template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa.models import Answer, Member, Reaction, Round
from qa.templatetags.qa_permissions import SHOWS_NOTHING

from .factories import AnswerFactory, MemberFactory, ReactionFactory, RoundFactory, UserFactory
from .conftest import build_round

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BUTTON = re.compile(
    r'<button type="submit" class="reaction reaction--(\w+)[^"]*" aria-pressed="(true|false)"'
    r"[^>]*>[^<]*<span data-reaction-count>(\d+)</span>"
)
COUNT = re.compile(r'<span class="reaction reaction--(\w+)"[^>]*>[^<]*? (\d+)<span')


def signed_in(member, csrf=False, **options):
    member.user = UserFactory(username=f"account-{member.name}", password=None, **options)
    member.save(update_fields=["user"])
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(member.user)
    return client


def react_url(answer, kind="thanks"):
    return reverse("qa:answer-react", kwargs={"pk": answer.pk, "kind": kind})


def revision(round_):
    return Round.objects.values_list("revision", flat=True).get(pk=round_.pk)


def answer_part(html, answer):
    """The HTML of one answer on a page."""
    return html.split(f'id="answer-{answer.pk}"')[1].split("</article>")[0]


def buttons(html, answer):
    """{kind: (pressed, count)} of the reader's reaction buttons under an answer."""
    part = answer_part(html, answer)
    return {kind: (pressed == "true", int(n)) for kind, pressed, n in BUTTON.findall(part)}


def counts(html, answer):
    """{kind: count} as shown to a reader who may not react (no buttons)."""
    return {kind: int(n) for kind, n in COUNT.findall(answer_part(html, answer))}


@pytest.fixture
def board():
    """An answering round with one answer, its author and a reader who is a member."""
    answer = AnswerFactory(question__round=RoundFactory(uses_picks=False))
    reader = MemberFactory(name="reader")
    return answer, reader


# The model and its rules


def test_one_of_each_kind_per_member(board):
    answer, reader = board
    for kind in Reaction.Kind.values:
        ReactionFactory(answer=answer, member=reader, kind=kind)
    assert answer.reactions.filter(member=reader).count() == 3
    with pytest.raises(IntegrityError):
        ReactionFactory(answer=answer, member=reader, kind=Reaction.Kind.THANKS)


def test_the_database_refuses_an_unknown_kind(board):
    answer, reader = board
    with pytest.raises(IntegrityError):
        Reaction.objects.create(answer=answer, member=reader, kind="love")


def test_set_reaction_gives_and_takes_back_and_repeating_is_harmless(board):
    answer, reader = board
    before = revision(answer.round)
    assert answer.set_reaction(reader, "insight", pressed=True) == 1
    assert answer.set_reaction(reader, "insight", pressed=True) == 1  # a double click
    assert revision(answer.round) == before + 1  # counted once on the board
    assert answer.set_reaction(reader, "insight", pressed=False) == 0
    assert answer.set_reaction(reader, "insight", pressed=False) == 0
    assert revision(answer.round) == before + 2
    assert not Reaction.objects.exists()


def test_a_member_leaving_takes_their_reactions_off_the_board(board):
    answer, reader = board
    other_round = RoundFactory()
    answer.set_reaction(reader, "thanks", pressed=True)
    before, elsewhere = revision(answer.round), revision(other_round)
    reader.delete()
    assert not Reaction.objects.exists()
    assert revision(answer.round) == before + 1
    assert revision(other_round) == elsewhere


def test_members_react_to_others_answers_in_rounds_they_see(board, django_user_model):
    answer, reader = board
    signed_in(reader)
    author = answer.author
    signed_in(author)
    assert answer.can_react(reader.user)
    assert not answer.can_react(author.user)  # one's own answer: counts mean others' reading
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    assert not answer.can_react(staff)  # no member to react as
    Round.objects.filter(pk=answer.round_id).update(state=Round.State.DRAFT)
    answer = Answer.objects.select_related("question__round").get(pk=answer.pk)
    assert not answer.can_react(reader.user)
    reader.user.is_staff = True
    assert answer.can_react(reader.user)  # curators read drafts, and react there too


# The toggle


def test_a_member_toggles_a_reaction_without_javascript(board):
    answer, reader = board
    client = signed_in(reader)
    back = f"{answer.round.get_absolute_url()}#answer-{answer.pk}"
    response = client.post(react_url(answer), {"pressed": "1", "next": back})
    assert response.status_code == 302 and response.url == back
    assert Reaction.objects.filter(answer=answer, member=reader, kind="thanks").exists()
    response = client.post(react_url(answer), {"pressed": "0", "next": back})
    assert response.url == back
    assert not Reaction.objects.exists()


def test_without_a_state_the_post_toggles(board):
    answer, reader = board
    client = signed_in(reader)
    client.post(react_url(answer, "unclear"))
    assert answer.reactions.filter(kind="unclear").count() == 1
    client.post(react_url(answer, "unclear"))
    assert not answer.reactions.exists()


def test_the_way_back_stays_on_the_site(board):
    answer, reader = board
    client = signed_in(reader)
    response = client.post(react_url(answer), {"pressed": "1", "next": "https://evil.example/"})
    assert response.url == answer.get_absolute_url()


def test_the_script_gets_the_new_state_as_json(board):
    answer, reader = board
    ReactionFactory(answer=answer, member=MemberFactory(name="other"), kind="thanks")
    client = signed_in(reader)
    before = revision(answer.round)
    response = client.post(react_url(answer), {"pressed": "1"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"kind": "thanks", "pressed": True, "count": 2}
    assert revision(answer.round) == before + 1
    response = client.post(react_url(answer), {"pressed": "0"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"kind": "thanks", "pressed": False, "count": 1}


def test_visitors_are_sent_to_sign_in(board):
    answer, _reader = board
    response = Client().post(react_url(answer), {"pressed": "1"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
    assert not Reaction.objects.exists()


def test_accounts_without_a_member_and_authors_are_refused(board, django_user_model):
    answer, _reader = board
    for user in (
        django_user_model.objects.create_user("staff", is_staff=True),
        django_user_model.objects.create_user("plain"),
    ):
        client = Client()
        client.force_login(user)
        assert client.post(react_url(answer), {"pressed": "1"}).status_code == 403
    author = signed_in(answer.author)
    assert author.post(react_url(answer), {"pressed": "1"}).status_code == 403
    assert not Reaction.objects.exists()


def test_a_draft_rounds_answers_are_only_for_curators(board):
    answer, reader = board
    Round.objects.filter(pk=answer.round_id).update(state=Round.State.DRAFT)
    client = signed_in(reader)
    assert client.post(react_url(answer), {"pressed": "1"}).status_code == 404
    curator = signed_in(MemberFactory(name="curator"), is_staff=True)
    assert curator.post(react_url(answer), {"pressed": "1"}).status_code == 302
    assert list(Reaction.objects.values_list("member__name", flat=True)) == ["curator"]


def test_only_known_kinds_and_only_posts(board):
    answer, reader = board
    client = signed_in(reader)
    assert client.post(f"/answers/{answer.pk}/reactions/love/").status_code == 404
    assert client.get(react_url(answer)).status_code == 405
    assert not Reaction.objects.exists()


def test_the_token_is_required(board):
    answer, reader = board
    client = signed_in(reader, csrf=True)
    assert client.post(react_url(answer), {"pressed": "1"}).status_code == 403
    html = client.get(answer.round.get_absolute_url()).content.decode()
    token = TOKEN.findall(answer_part(html, answer))[0]
    data = {"pressed": "1", "csrfmiddlewaretoken": token}
    assert client.post(react_url(answer), data).status_code == 302
    assert answer.reactions.count() == 1


# Pages


@pytest.fixture
def reacted(board):
    """The board's answer with two 👍 and one 💡 from members other than the reader."""
    answer, reader = board
    for name, kinds in {"a": ["thanks", "insight"], "b": ["thanks"]}.items():
        for kind in kinds:
            ReactionFactory(answer=answer, member=MemberFactory(name=name), kind=kind)
    return answer, reader


@pytest.mark.parametrize("page", ["board", "question"])
def test_counts_show_as_buttons_for_members_and_as_counts_for_others(reacted, page):
    answer, reader = reacted
    on = answer.round if page == "board" else answer.question
    path = on.get_absolute_url()
    member_html = signed_in(reader).get(path).content.decode()
    assert buttons(member_html, answer) == {
        "thanks": (False, 2), "insight": (False, 1), "unclear": (False, 0)
    }  # fmt: skip
    for client in (Client(), signed_in(answer.author)):
        html = client.get(path).content.decode()
        assert not buttons(html, answer)
        assert counts(html, answer) == {"thanks": 2, "insight": 1}  # none shown for 0
    assert "qa/js/reactions.js" in member_html


def test_an_answer_nobody_may_react_to_shows_no_reactions(board):
    answer, _reader = board
    html = Client().get(answer.round.get_absolute_url()).content.decode()
    assert 'class="reactions"' not in answer_part(html, answer)


def test_each_reader_sees_their_own_pressed_buttons_from_the_shared_cache(reacted):
    answer, reader = reacted
    other = MemberFactory(name="other-reader")
    first, second = signed_in(reader), signed_in(other)
    path = answer.round.get_absolute_url()
    first.get(path)  # the shared parts, cached for everyone signed in
    first.post(react_url(answer, "unclear"), {"pressed": "1"})
    first_html = first.get(path).content.decode()
    second_html = second.get(path).content.decode()  # from the parts the first reader left
    assert any(key.startswith(":1:qa:parts:") for key in caches["pages"]._cache)
    assert buttons(first_html, answer)["unclear"] == (True, 1)
    assert buttons(second_html, answer)["unclear"] == (False, 1)
    assert buttons(second_html, answer)["thanks"] == (False, 2)


def test_a_reaction_shows_on_the_visitors_cached_board(reacted):
    answer, reader = reacted
    path = answer.round.get_absolute_url()
    visitor = Client()
    assert counts(visitor.get(path).content.decode(), answer)["thanks"] == 2
    signed_in(reader).post(react_url(answer), {"pressed": "1"})
    assert counts(visitor.get(path).content.decode(), answer)["thanks"] == 3


def test_the_reactions_part_is_skipped_only_when_it_would_show_nothing(reacted, rf):
    answer, reader = reacted
    bare = AnswerFactory(question=answer.question)
    signed_in(reader)
    round_ = Round.objects.get(pk=answer.round_id)
    _lists, picked = round_.board()
    answers = [a for question in picked for a in question.answers_on_board]
    assert {a.pk for a in answers} == {answer.pk, bare.pk}
    shown = 0
    for user in (AnonymousUser(), reader.user, answer.author.user, bare.author.user):
        request = rf.get(round_.get_absolute_url())
        request.user = user
        for each in answers:
            context = {"answer": each, "user": user}
            html = get_template("qa/_reactions.html").render(context, request)
            assert SHOWS_NOTHING["qa/_reactions.html"](user, answer=each) == (not html.strip())
            shown += bool(html.strip())
    assert shown


# Queries


def board_queries(client, path):
    """Queries for the board rendered from scratch, then kept for its reader."""
    for each in caches.all():
        each.clear()
    with CaptureQueriesContext(connection) as fresh:
        assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as again:
        html = client.get(path).content.decode()
    return len(fresh), len(again), html


def reacting_round(members):
    """A round of `members`, each of whom reacts to every answer with 👍 and to some with 💡."""
    round_ = build_round(members=members, questions_each=3)
    people = list(Member.objects.filter(questions__round=round_).distinct().order_by("pk"))
    answers = list(Answer.objects.filter(round=round_))
    Reaction.objects.bulk_create(
        [Reaction(answer=a, member=m, kind="thanks") for a in answers for m in people]
        + [Reaction(answer=a, member=m, kind="insight") for a in answers for m in people[::2]]
    )
    return round_, people, answers


def test_the_boards_query_count_does_not_grow_with_members_and_reactions():
    sizes = {}
    for members in (4, 40):
        round_, people, answers = reacting_round(members)
        client = signed_in(people[0])
        fresh, again, html = board_queries(client, round_.get_absolute_url())
        sizes[members] = (fresh, again)
        # Every answer shows its counts; the reader's own 👍 are pressed (not on their own).
        others = [a for a in answers if a.author_id != people[0].pk]
        assert len(others) == members - 1  # build_round: each member answers one question
        for answer in others:
            shown = buttons(html, answer)
            assert shown["thanks"] == (True, members)
            assert shown["insight"] == (True, (members + 1) // 2)
        mine = next(a for a in answers if a.author_id == people[0].pk)
        assert counts(html, mine)["thanks"] == members
    # The round, the session, the account with its member, the board's questions, picks and
    # answers (with their counts), the reader's reactions, their "new for you" list and the
    # start of their visit (Member.saw_board()); then the reader's page, kept for them: the
    # round, the session and the account.
    assert sizes[4] == sizes[40] == (9, 3)


def test_the_question_page_adds_one_query_for_the_readers_reactions():
    round_, people, answers = reacting_round(4)
    client = signed_in(people[0])
    answer = next(a for a in answers if a.author_id != people[0].pk)
    path = answer.question.get_absolute_url()
    fresh, again, html = board_queries(client, path)
    # As test_scale's question row for a member: the answers' follow-ups are one more.
    assert (fresh, again) == (8, 3)
    assert buttons(html, answer)["thanks"] == (True, 4)


# Two clicks at once


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL")
def test_two_presses_at_once_make_one_reaction_and_no_error():
    from .test_concurrency import at_once, statuses

    answer = AnswerFactory(question__round=RoundFactory(uses_picks=False))
    reader = MemberFactory(name="reader")
    signed_in(reader)
    for _attempt in range(5):
        clients = [Client(), Client()]
        for client in clients:
            client.force_login(reader.user)
        results = at_once(*(partial(c.post, react_url(answer), {"pressed": "1"}) for c in clients))
        assert statuses(results) == [302, 302]
        assert answer.reactions.count() == 1
        results = at_once(*(partial(c.post, react_url(answer), {"pressed": "0"}) for c in clients))
        assert statuses(results) == [302, 302]
        assert not answer.reactions.exists()
