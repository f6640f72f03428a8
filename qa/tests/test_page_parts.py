"""Members' pages are built from parts cached for everyone and parts rendered for each reader:
nothing personal is ever kept in, or served from, the shared cache."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.middleware.csrf import _does_token_match
from django.template.context import make_context
from django.template.loader import get_template
from django.utils import translation

from qa.models import Answer, Question, Reaction, Round
from qa.templatetags import qa_fragments
from qa.templatetags.qa_fragments import SAME_FOR_READERS, SharedRequest, SignedInReader
from qa.templatetags.qa_permissions import SHOWS_NOTHING

from .factories import UserFactory


pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response, response.content.decode()


def pick_forms(html):
    """The questions a page offers the reader's own 👀 on (not the group's)."""
    forms = re.findall(r'<form class="inline-form" method="post" action="/questions/(\d+)/pick/">(.*?)</form>', html, re.S)
    return {int(pk) for pk, form in forms if 'name="for"' not in form}


def test_each_reader_gets_their_own_buttons_and_token_on_a_cached_board(readers):
    round_, people = readers
    path = round_.get_absolute_url()
    pages = {}
    for name, (member, client) in people.items():
        pages[name] = page(client, path)
    # After the first reader, the shared part came from the cache: its rendering is counted once.
    assert any(key.startswith(":1:qa:parts:") for key in caches["pages"]._cache)

    for name, (member, _client) in people.items():
        response, html = pages[name]
        tokens = set(TOKEN.findall(html))
        if member is None:
            assert not tokens and not pick_forms(html)
            continue
        assert f"{member.name}" in html.split('class="account__name"')[1].split("</span>")[0]
        # Every question in the round but the member's own, and never the same set as another's.
        others = set(
            Question.objects.filter(round=round_).exclude(author=member).values_list("pk", flat=True)
        )
        offered = pick_forms(html)
        if name == "curator":
            assert "for\" value=\"group\"" in html and 'href="/questions/' in html
        else:
            assert offered and offered <= others
            assert not offered & set(member.questions.values_list("pk", flat=True))
        for other, (other_member, _other_client) in people.items():
            if other != name:
                other_html = pages[other][1]
                assert not tokens & set(TOKEN.findall(other_html)), (name, other)
                if other_member is not None and name != "curator" and other != "curator":
                    assert pick_forms(other_html) != offered

    # Answers: each member edits their own, and no one else's.
    for name in ("first", "second"):
        member, _client = people[name]
        html = pages[name][1]
        own = Answer.objects.filter(round=round_, author=member).values_list("pk", flat=True)
        edits = {int(pk) for pk in re.findall(r'href="/answers/(\d+)/edit/"', html)}
        assert edits == set(own)


def test_a_token_works_for_its_own_session_only(readers):
    """The token on one member's page is refused with another's session."""
    round_, people = readers
    path = round_.get_absolute_url()
    first_client = people["first"][1]
    second, second_client = people["second"]
    _response, first_html = page(first_client, path)
    _response, second_html = page(second_client, path)  # from the shared part the first left
    question = Question.objects.filter(round=round_).exclude(author=second).exclude(picks__picker=second)
    question = question.exclude(author__in=second.picks.values("question_author")).first()
    token = TOKEN.findall(first_html)[0]
    pick = {"pick": "1", "csrfmiddlewaretoken": token}
    assert second_client.post(f"/questions/{question.pk}/pick/", pick).status_code == 403
    own_token = TOKEN.findall(second_html)[0]
    pick["csrfmiddlewaretoken"] = own_token
    assert second_client.post(f"/questions/{question.pk}/pick/", pick).status_code == 302
    assert question.picks.filter(picker=second).exists()


def test_what_the_shared_cache_keeps_is_the_same_for_every_reader(readers):
    """The shared parts of two members' and a curator's boards are one and the same entry,
    with no name, token or account of theirs in it."""
    round_, people = readers
    path = round_.get_absolute_url()
    for _name, (_member, client) in people.items():
        page(client, path)
    entries = [
        value for key, value in caches["pages"]._cache.items() if key.startswith(":1:qa:parts:")
    ]
    members = [entry for entry in entries if isinstance(entry, dict) and "content" in entry]
    assert len(members) == 2  # one for everyone signed in, one for visitors
    for entry in members:
        assert {"head", "header", "content", "footer"} <= set(entry)
        for chunks, slots in entry.values():
            html = "".join(chunks)
            assert "csrfmiddlewaretoken" not in html
            assert "account-" not in html  # no account's name
            assert "/admin/" not in html and "/review/" not in html  # no one's own links
            # What the live parts keep holds no reader: only the page's own data.
            for _template, values in slots:
                assert "user" not in values and "request" not in values


def test_each_reader_gets_their_own_header_on_a_cached_page(readers):
    """The header and footer are shared parts too: their links for members and curators, the
    account and the sign-out form are each reader's own."""
    round_, people = readers
    path = round_.get_absolute_url()
    headers, footers = {}, {}
    for name, (_member, client) in people.items():
        html = page(client, path)[1]
        headers[name] = html.split('<header class="site-header">')[1].split("</header>")[0]
        footers[name] = html.split('<footer class="site-footer')[1].split("</footer>")[0]
    assert any(key.startswith(":1:qa:parts:") for key in caches["pages"]._cache)
    for name, (member, _client) in people.items():
        header = headers[name]
        assert ('href="/admin/"' in header) == (name == "curator")
        # Members and invitations: in the footer, so a curator's header keeps to two rows.
        assert ('href="/members/"' in footers[name]) == (name == "curator")
        assert ('href="/review/"' in header) == (member is not None)
        assert ('href="/bank/"' in header) == (member is None)
        assert ("account__logout" in header) == (member is not None)
        if member is not None:
            assert member.name in header.split('class="account__name"')[1].split("</a>")[0]
            assert len(TOKEN.findall(header)) == 1
        else:
            assert 'href="/accounts/login/?next=' in header


def test_the_header_links_back_to_the_address_with_its_query(readers):
    """The language links lead back to the page asked for, query and all, cached or not."""
    round_, people = readers
    client = people["first"][1]
    path = round_.get_absolute_url()
    for query in ("", "?from=feed", "?from=mail"):
        html = page(client, path + query)[1]
        links = re.findall(r'href="/language/\w+/\?next=([^"]*)"', html)
        assert links and set(links) == {quote(path + query, safe="/")}


def test_a_member_whose_round_closed_sees_no_buttons_but_the_history(readers):
    round_, people = readers
    Round.objects.filter(pk=round_.pk).update(state=Round.State.CLOSED)
    member, client = people["first"]
    _response, html = page(client, round_.get_absolute_url())
    assert not pick_forms(html) and "/edit/" not in html
    assert 'href="/answers/' in html and "/history/" in html


def test_the_stand_in_reader_has_no_member_and_no_rights():
    reader = SignedInReader()
    assert reader.is_authenticated and not reader.is_anonymous
    assert not reader.is_staff and getattr(reader, "member", None) is None


def board_in_state(round_, people, state):
    """The round moved to `state`, with one reader's 👍 on an answer (their buttons differ
    from the others'): its questions, picked questions and answers as the board loads them."""
    Round.objects.filter(pk=round_.pk).update(state=state)
    round_.refresh_from_db()
    first = people["first"][0]
    Reaction.objects.create(
        answer=Answer.objects.filter(round=round_).exclude(author=first).first(),
        member=first,
        kind=Reaction.Kind.THANKS,
    )
    member_lists, picked = round_.board()
    questions = [question for _author, items in member_lists for question in items]
    answers = [answer for question in picked for answer in question.answers_on_board]
    return questions, picked, answers


@pytest.mark.parametrize("state", [Round.State.QUESTIONS_OPEN, Round.State.ANSWERING, Round.State.CLOSED])
def test_a_readers_part_is_skipped_only_when_it_would_show_nothing(readers, rf, state):
    """SHOWS_NOTHING restates each live template's own outer condition; here both are asked
    for every question and answer of a board and every reader."""
    round_, people = readers
    questions, picked, answers = board_in_state(round_, people, state)
    cases = [("qa/_add_question.html", {"round": round_})]
    cases += [("qa/_question_actions.html", {"question": q, "first": True, "last": False}) for q in questions]
    cases += [("qa/_answer_link.html", {"question": q}) for q in picked]
    cases += [("qa/_answer_edit_link.html", {"answer": a}) for a in answers]
    cases += [("qa/_reactions.html", {"answer": a}) for a in answers]
    shown = 0
    for member, _client in people.values():
        user = member.user if member else AnonymousUser()
        request = rf.get(round_.get_absolute_url())
        request.user = user
        for template_name, values in cases:
            html = get_template(template_name).render({**values, "user": user}, request)
            assert SHOWS_NOTHING[template_name](user, **values) == (not html.strip()), (
                template_name, member, values
            )
            shown += bool(html.strip())
    assert shown  # every state offers someone something (curators at least)


def test_a_template_with_shared_parts_renders_whole_without_the_cache(readers, rf):
    """Another view may render these templates without qa.pagecache: nothing is cached then,
    and the reader's own parts are rendered in place."""
    round_, people = readers
    member, _client = people["first"]
    member_lists, picked = round_.board()
    request = rf.get(round_.get_absolute_url())
    request.user = member.user
    context = {"round": round_, "member_lists": member_lists, "picked": picked,
               "matrix": [], "counts": {}, "user": member.user}  # fmt: skip
    html = get_template("qa/round_detail.html").render(context, request)
    assert pick_forms(html) and TOKEN.findall(html)
    assert not any(key.startswith(":1:qa:parts:") for key in caches["pages"]._cache)


def test_a_shared_part_sees_the_requests_address_but_not_its_reader(rf):
    request = rf.get("/rounds/3/?utm=x", HTTP_COOKIE="csrftoken=secret")
    request.session = {"_auth_user_id": "1"}
    shared = SharedRequest(request, SignedInReader())
    assert shared.build_absolute_uri(shared.path) == "http://testserver/rounds/3/"
    assert shared.GET["utm"] == "x" and shared.user.is_authenticated
    for hidden in ("session", "COOKIES", "META", "headers"):
        assert not hasattr(shared, hidden)


STATES = [Round.State.QUESTIONS_OPEN, Round.State.ANSWERING, Round.State.CLOSED]


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("state", STATES)
def test_a_part_kept_for_readers_with_the_same_key_is_what_each_would_get(
    readers, rf, state, language
):
    """SAME_FOR_READERS names what each template reads about the reader and the request:
    rendered once per key, each reader must still get exactly the fresh render, with their
    own request's token."""
    round_, people = readers
    questions, picked, answers = board_in_state(round_, people, state)
    header = ("qa/_reader_nav.html", "qa/_account.html", "qa/_curator_footer.html")
    cases = [(name, {}) for name in header]
    on_board = [{"question": q, "on_board": True, "first": not i, "last": False}
                for i, q in enumerate(questions)]  # fmt: skip
    cases += [("qa/_question_actions.html", values) for values in on_board]
    cases += [("qa/_question_actions.html", {"question": q}) for q in questions[:2]]
    cases += [("qa/_answer_link.html", {"question": q}) for q in picked]
    cases += [("qa/_answer_edit_link.html", {"answer": a}) for a in answers]
    cases += [("qa/_reactions.html", {"answer": a}) for a in answers]
    assert {name for name, _values in cases} == set(SAME_FOR_READERS)
    users = [AnonymousUser(), *(member.user for member, _client in people.values() if member)]
    users += [UserFactory(username="nobody", password=None)]
    users += [UserFactory(username="staff", is_staff=True, password=None)]
    qa_fragments._rendered_for_readers.clear()
    tokens = shown = 0
    with translation.override(language):
        # Readers share what the first one with the same key left; the second time round
        # each gets their own; the third time at another address, which forms lead back to.
        for number, user in enumerate(users * 3):
            request = rf.get(f"{round_.get_absolute_url()}?page={number // (2 * len(users))}")
            request.user = user
            context = make_context({}, request)
            with context.bind_template(get_template("qa/round_detail.html").template):
                for template_name, values in cases:
                    kept = qa_fragments._render_live(context, template_name, values)
                    fresh = get_template(template_name).render(values, request)
                    assert qa_fragments.TOKEN_STAND_IN not in kept
                    # (A part that shows nothing is skipped whole, blank lines and all.)
                    assert TOKEN.sub("token", kept).strip() == TOKEN.sub("token", fresh).strip(), (
                        template_name, user, values
                    )
                    for token in TOKEN.findall(kept):
                        assert _does_token_match(token, request.META["CSRF_COOKIE"])
                        tokens += 1
                    shown += bool(kept.strip())
    assert tokens > 3 * (len(users) - 1)  # at least every signed-in reader's sign-out form
    assert shown and qa_fragments._rendered_for_readers


def test_a_part_given_more_than_its_key_names_is_rendered_for_each_request(readers, rf):
    """A board that passes a part a new value may show it: the key cannot say, so nothing of
    such a part is kept (nor of a visitor's sign-in link, which names the page)."""
    round_, people = readers
    member, _client = people["first"]
    _lists, picked = round_.board()
    request = rf.get(round_.get_absolute_url())
    question, answer = picked[0], picked[0].answers_on_board[0]
    more = {"pressed": True}
    cases = [
        ("qa/_reader_nav.html", {}),
        ("qa/_account.html", {}),
        ("qa/_curator_footer.html", {}),
        ("qa/_question_actions.html", {"question": question, "on_board": True}),
        ("qa/_answer_link.html", {"question": question}),
        ("qa/_answer_edit_link.html", {"answer": answer}),
    ]
    for name, values in cases:
        assert SAME_FOR_READERS[name](member.user, request, **values) is not None, name
        assert SAME_FOR_READERS[name](member.user, request, **values, **more) is None, name
    assert SAME_FOR_READERS["qa/_account.html"](AnonymousUser(), request) is None
    assert SAME_FOR_READERS["qa/_question_actions.html"](member.user, None, question) is None
