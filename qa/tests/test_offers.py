"""Every button and link to an action is offered exactly when the action would be accepted.

Both sides come from the same states: for each round state, situation and role, the board
and the question pages are read for what they offer, then every action on every question
is tried (each in a transaction that is rolled back) to see which ones change anything.
Neither side is written down here, so the two cannot drift apart; the last tests pin what
the issue named, so that "nothing offered, nothing accepted" cannot pass by itself.
"""

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import resolve, reverse

from qa.models import Answer, Member, Pick, Question, Round

from .factories import AnswerFactory, PickFactory, QuestionFactory, RoundFactory
from .people import role_clients

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "member", "other", "curator"]
STATES = [Round.State.QUESTIONS_OPEN, Round.State.ANSWERING, Round.State.CLOSED]


@pytest.fixture
def world():
    """`member` and `other` each have a list of two questions; the curator has none."""
    clients = role_clients()
    people = {role: Member.objects.get(name=role) for role in ROLES if role != "visitor"}
    round_ = RoundFactory(number=1)
    questions = {
        name: QuestionFactory(round=round_, author=people[author], position=position)
        for name, author, position in [
            ("mine", "member", 1), ("mine too", "member", 2),
            ("theirs", "other", 1), ("theirs too", "other", 2),
        ]
    }  # fmt: skip
    return SimpleNamespace(clients=clients, people=people, round=round_, q=questions)


def _member_picked_theirs(w):
    PickFactory(question=w.q["theirs"], picker=w.people["member"])


def _answered_with_members_pick_the_last(w):
    _member_picked_theirs(w)
    AnswerFactory(question=w.q["theirs"], author=w.people["curator"])


def _answered_with_the_curators_pick_the_last(w):
    PickFactory(question=w.q["mine"], picker=None)
    AnswerFactory(question=w.q["mine"], author=w.people["other"])
    AnswerFactory(question=w.q["mine"], author=w.people["member"])


def _lists_full(w):
    Round.objects.filter(pk=w.round.pk).update(question_limit=2)


SITUATIONS = {
    "nothing picked": lambda w: None,
    "member picked from other's list": _member_picked_theirs,
    "answered, member's pick the last": _answered_with_members_pick_the_last,
    "answered, curators' pick the last": _answered_with_the_curators_pick_the_last,
    "lists at the limit": _lists_full,
}


class _Offers(HTMLParser):
    """(action, (model, pk)) for each form and link to an action on a page."""

    def __init__(self):
        super().__init__()
        self.offers, self._form = set(), None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self._form = {"action": attrs.get("action") or "", "fields": {}}
        elif tag == "input" and self._form is not None and attrs.get("type") == "hidden":
            self._form["fields"][attrs.get("name")] = attrs.get("value")
        elif tag == "a" and attrs.get("href"):
            self._link(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self._post(self._form["action"], self._form["fields"])
            self._form = None

    def _post(self, action, fields):
        if not action.startswith("/"):
            return  # a form without an action posts to its own page (the logout form has one)
        match = resolve(action)
        if match.url_name == "question-pick":
            kind = "unpick" if fields.get("pick") == "0" else "pick"
            if fields.get("for") == "group":
                kind = f"group {kind}"
            self.offers.add((kind, ("question", match.kwargs["pk"])))
        elif match.url_name in ("question-move-up", "question-move-down"):
            kind = match.url_name.removeprefix("question-")
            self.offers.add((kind, ("question", match.kwargs["pk"])))

    def _link(self, href):
        if not href.startswith("/"):
            return
        match = resolve(href.split("?")[0].split("#")[0])
        kinds = {
            "question-add": ("add", "round"),
            "question-answer": ("answer", "question"),
            "question-edit": ("edit", "question"),
            "question-delete": ("delete", "question"),
            "answer-edit": ("edit answer", "answer"),
        }
        if match.url_name in kinds:
            kind, model = kinds[match.url_name]
            self.offers.add((kind, (model, match.kwargs.get("pk"))))


def offers(html):
    parser = _Offers()
    parser.feed(html)
    return parser.offers


def offered(w, client):
    """What the board, each question page and each offered edit form offer the client."""
    found = offers(client.get(w.round.get_absolute_url()).content.decode())
    for question in Question.objects.filter(round=w.round):
        on_page = offers(client.get(question.get_absolute_url()).content.decode())
        # The question page offers what the board offers for it, less moving it in its list.
        target = ("question", question.pk)
        on_board = {(kind, t) for kind, t in found if t == target}
        on_board -= {("move-up", target), ("move-down", target)}
        assert {(kind, t) for kind, t in on_page if t == target} == on_board, question
        found |= on_page
    for kind, (_model, pk) in list(found):
        if kind == "edit":
            url = reverse("qa:question-edit", args=[w.round.number, pk])
            found |= offers(client.get(url).content.decode())
    return found


def _requests(w):
    """Every action the pages could offer, as (action, (model, pk), url, POST data)."""
    number = w.round.number
    add = reverse("qa:question-add", args=[number])
    yield "add", ("round", None), add, {"label": "", "text": "새 질문"}
    for question in Question.objects.filter(round=w.round):
        pk, pick = question.pk, reverse("qa:question-pick", args=[question.pk])
        target = ("question", pk)
        yield "pick", target, pick, {"pick": "1"}
        yield "unpick", target, pick, {"pick": "0"}
        yield "group pick", target, pick, {"pick": "1", "for": "group"}
        yield "group unpick", target, pick, {"pick": "0", "for": "group"}
        yield "move-up", target, reverse("qa:question-move-up", args=[number, pk]), {}
        yield "move-down", target, reverse("qa:question-move-down", args=[number, pk]), {}
        yield "edit", target, reverse("qa:question-edit", args=[number, pk]), {
            "label": "9.", "text": "고친 질문"
        }
        yield "delete", target, reverse("qa:question-delete", args=[number, pk]), {}
        yield "answer", target, reverse("qa:question-answer", args=[pk]), {
            "body": "새 답변", "version": "0"
        }
    for answer in Answer.objects.filter(round=w.round):
        edit = reverse("qa:answer-edit", args=[answer.pk])
        yield "edit answer", ("answer", answer.pk), edit, {
            "body": "고친 답변", "version": str(answer.version)
        }


def snapshot(w):
    return (
        list(Pick.objects.order_by("pk").values_list("question_id", "picker_id")),
        list(Question.objects.order_by("pk").values_list("pk", "position", "label", "text")),
        list(Answer.objects.order_by("pk").values_list("pk", "body")),
    )


class _Undo(Exception):
    pass


def accepted(w, client):
    """The actions that change something when the client asks for them."""
    found = set()
    before = snapshot(w)
    for kind, target, url, data in _requests(w):
        try:
            with transaction.atomic():
                client.post(url, data)
                if snapshot(w) != before:
                    found.add((kind, target))
                raise _Undo
        except _Undo:
            pass
    return found


SCENARIOS = [
    pytest.param(state, situation, role, id=f"{state}-{situation}-{role}")
    for state in STATES
    for situation in SITUATIONS
    for role in ROLES
]


@pytest.mark.parametrize("state, situation, role", SCENARIOS)
def test_what_is_offered_is_what_is_accepted(world, state, situation, role):
    SITUATIONS[situation](world)
    Round.objects.filter(pk=world.round.pk).update(state=state)
    client = world.clients[role]
    assert offered(world, client) == accepted(world, client)


def _offered_as(world, role, state, situation):
    SITUATIONS[situation](world)
    Round.objects.filter(pk=world.round.pk).update(state=state)
    named = {("question", q.pk): name for name, q in world.q.items()}
    found = offered(world, world.clients[role])
    return {(kind, named.get(target, target[0])) for kind, target in found}


def test_a_member_choosing_is_offered_one_pick_per_list(world):
    assert _offered_as(world, "member", Round.State.ANSWERING, "nothing picked") == {
        ("pick", "theirs"), ("pick", "theirs too"),
    }  # fmt: skip


def test_no_pick_is_offered_after_the_members_pick_is_made(world):
    situation = "member picked from other's list"
    assert _offered_as(world, "member", Round.State.ANSWERING, situation) == {
        ("unpick", "theirs"), ("answer", "theirs"),
    }  # fmt: skip


def test_no_take_back_is_offered_on_an_answered_question_it_would_leave_unpicked(world):
    situation = "answered, member's pick the last"
    offers_ = _offered_as(world, "member", Round.State.ANSWERING, situation)
    assert ("unpick", "theirs") not in offers_
    assert offers_ == {("answer", "theirs")}


def test_curators_keep_the_last_pick_of_an_answered_question_too(world):
    situation = "answered, curators' pick the last"
    offers_ = _offered_as(world, "curator", Round.State.CLOSED, situation)
    assert ("group unpick", "mine") not in offers_
    assert {("group pick", "theirs"), ("answer", "mine"), ("add", "round")} <= offers_


def test_add_is_offered_below_the_question_limit(world):
    offers_ = _offered_as(world, "member", Round.State.QUESTIONS_OPEN, "nothing picked")
    assert ("add", "round") in offers_


def test_no_add_is_offered_at_the_question_limit(world):
    offers_ = _offered_as(world, "member", Round.State.QUESTIONS_OPEN, "lists at the limit")
    assert ("add", "round") not in offers_
    assert {("edit", "mine"), ("move-down", "mine"), ("move-up", "mine too")} <= offers_
