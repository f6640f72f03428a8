"""Who may do what on the board: every role against every action, status and database both."""

import io
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from qa.forms import QuestionForm
from qa.models import Answer, Member, Pick, Question, Round

from .factories import AnswerFactory, PickFactory, QuestionFactory, RoundFactory
from .people import role_clients, sign_in

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "member", "other", "curator"]
OPEN, ANSWERING, CLOSED = Round.State.QUESTIONS_OPEN, Round.State.ANSWERING, Round.State.CLOSED


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(media):
    """One round: `member` has two questions, `other` one; the roles' clients."""
    clients = role_clients()
    people = {role: Member.objects.get(name=role) for role in ROLES if role != "visitor"}
    round_ = RoundFactory(number=1, state=ANSWERING)
    return SimpleNamespace(
        clients=clients,
        people=people,
        round=round_,
        mine=QuestionFactory(round=round_, author=people["member"], position=1, text="내 질문"),
        mine_too=QuestionFactory(round=round_, author=people["member"], position=2),
        theirs=QuestionFactory(round=round_, author=people["other"], position=1, text="남의 질문"),
        media=media,
    )


def set_state(w, state):
    Round.objects.filter(pk=w.round.pk).update(state=state)


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "drop.png"
    return buffer


def files_in(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _member_answer(w):
    PickFactory(question=w.theirs)
    return AnswerFactory(question=w.theirs, author=w.people["member"], body="처음 답변")


# Each action: the round state it needs, setup, the request, and a snapshot of what it changes.
def _add_question(w, client):
    url = reverse("qa:question-add", args=[w.round.number])
    return client.post(url, {"label": "", "text": "새 질문"})


def _edit_question(w, client):
    url = reverse("qa:question-edit", args=[w.round.number, w.mine.pk])
    return client.post(url, {"label": "1.", "text": "고친 질문"})


def _delete_question(w, client):
    return client.post(reverse("qa:question-delete", args=[w.round.number, w.mine.pk]))


def _move_question(w, client):
    return client.post(reverse("qa:question-move-down", args=[w.round.number, w.mine.pk]))


def _pick(w, client):
    return client.post(reverse("qa:question-pick", args=[w.theirs.pk]), {"pick": "1"})


def _prepare_unpick(w):
    PickFactory(question=w.theirs, picker=w.people["member"])
    PickFactory(question=w.theirs, picker=w.people["curator"])


def _unpick(w, client):
    return client.post(reverse("qa:question-pick", args=[w.theirs.pk]), {"pick": "0"})


def _pick_for_group(w, client):
    url = reverse("qa:question-pick", args=[w.theirs.pk])
    return client.post(url, {"pick": "1", "for": "group"})


def _create_answer(w, client):
    url = reverse("qa:question-answer", args=[w.theirs.pk])
    return client.post(url, {"body": "새 답변", "version": "0"})


def _prepare_answer(w):
    w.answer = _member_answer(w)


def _edit_answer(w, client):
    url = reverse("qa:answer-edit", args=[w.answer.pk])
    return client.post(url, {"body": "고친 답변", "version": str(w.answer.version)})


def _upload(w, client):
    return client.post(reverse("qa:answer-upload"), {"image": png()})


def _preview(w, client):
    return client.post(reverse("qa:answer-preview"), {"content": "**굵게** <script>x</script>"})


def _view_history(w, client):
    return client.get(reverse("qa:answer-history", args=[w.answer.pk]))


def _prepare_revision(w):
    _prepare_answer(w)
    w.answer.body = "두 번째 답변"
    w.answer.save()


def _restore(w, client):
    return client.post(reverse("qa:answer-restore", args=[w.answer.pk, 1]))


def _pick_theirs_for_the_group(w):
    PickFactory(question=w.theirs)


def _mine(w):
    return Question.objects.filter(pk=w.mine.pk).first()


def _answer_body(w):
    return Answer.objects.get(pk=w.answer.pk).body


# action: (round state, setup, request, snapshot of what it changes or None)
ACTIONS = {
    "add question": (OPEN, None, _add_question, lambda w: Question.objects.count()),
    "edit question": (OPEN, None, _edit_question, lambda w: _mine(w).text),
    "delete question": (OPEN, None, _delete_question, lambda w: _mine(w) is None),
    "move question": (OPEN, None, _move_question, lambda w: _mine(w).position),
    "pick": (ANSWERING, None, _pick, lambda w: Pick.objects.count()),
    "unpick": (ANSWERING, _prepare_unpick, _unpick, lambda w: Pick.objects.count()),
    "pick for the group": (ANSWERING, None, _pick_for_group, lambda w: Pick.objects.count()),
    "create answer": (
        ANSWERING,
        _pick_theirs_for_the_group,
        _create_answer,
        lambda w: Answer.objects.count(),
    ),
    "edit answer": (ANSWERING, _prepare_answer, _edit_answer, _answer_body),
    "upload": (ANSWERING, None, _upload, lambda w: files_in(w.media)),
    "preview": (ANSWERING, None, _preview, None),
    "view history": (ANSWERING, _prepare_answer, _view_history, None),
    "restore": (ANSWERING, _prepare_revision, _restore, _answer_body),
}

# login: redirected to sign in, nothing changed; forbidden: 403, nothing changed; done: changed.
# `other` owns the question that is picked and answered, so picking it is picking their own.
EXPECTED = {
    #                       visitor      member   other        curator
    "add question":        ("login",     "done", "done",      "done"),
    "edit question":       ("login",     "done", "forbidden", "done"),
    "delete question":     ("login",     "done", "forbidden", "done"),
    "move question":       ("login",     "done", "forbidden", "done"),
    "pick":                ("login",     "done", "forbidden", "done"),
    "unpick":              ("login",     "done", "forbidden", "done"),
    "pick for the group":  ("login",     "forbidden", "forbidden", "done"),
    "create answer":       ("login",     "done", "done",      "done"),
    "edit answer":         ("login",     "done", "forbidden", "done"),
    "upload":              ("forbidden", "done", "done",      "done"),
    "preview":             ("forbidden", "done", "done",      "done"),
    "view history":        ("login",     "done", "done",      "done"),
    "restore":             ("login",     "done", "forbidden", "done"),
}  # fmt: skip

MATRIX = [
    pytest.param(action, role, outcome, id=f"{action}-{role}")
    for action, outcomes in EXPECTED.items()
    for role, outcome in zip(ROLES, outcomes, strict=True)
]


def assert_outcome(response, outcome, before, after):
    if outcome == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        assert after == before
    elif outcome == "forbidden":
        assert response.status_code == 403
        assert after == before
    else:
        assert response.status_code in (200, 302), response.content[:500]
        assert after != before


@pytest.mark.parametrize("action, role, outcome", MATRIX)
def test_role_and_action(world, action, role, outcome):
    state, prepare, act, snapshot = ACTIONS[action]
    set_state(world, state)
    if prepare:
        prepare(world)
    snapshot = snapshot or (lambda w: None)
    before = snapshot(world)
    response = act(world, world.clients[role])
    after = snapshot(world)
    if snapshot(world) is None and outcome == "done":
        assert response.status_code == 200
    else:
        assert_outcome(response, outcome, before, after)


# Outside the state an action belongs to, members are refused and curators are not.
OUT_OF_STATE = [
    ("add question", ANSWERING),
    ("add question", CLOSED),
    ("edit question", ANSWERING),
    ("delete question", CLOSED),
    ("move question", ANSWERING),
    ("pick", OPEN),
    ("pick", CLOSED),
    ("unpick", CLOSED),
    ("create answer", OPEN),
    ("create answer", CLOSED),
    ("edit answer", CLOSED),
    ("restore", CLOSED),
]


@pytest.mark.parametrize("role, outcome", [("member", "forbidden"), ("curator", "done")])
@pytest.mark.parametrize("action, state", OUT_OF_STATE)
def test_members_only_act_in_the_rounds_state_for_it(world, action, state, role, outcome):
    _state, prepare, act, snapshot = ACTIONS[action]
    if prepare:
        prepare(world)
    set_state(world, state)
    before = snapshot(world)
    response = act(world, world.clients[role])
    assert_outcome(response, outcome, before, snapshot(world))


def test_an_account_without_a_member_cannot_write(world):
    PickFactory(question=world.theirs)
    client = sign_in("lurker", member=False)
    assert client.post(reverse("qa:answer-preview"), {"content": "x"}).status_code == 403
    assert client.post(reverse("qa:answer-upload"), {"image": png()}).status_code == 403
    assert _create_answer(world, client).status_code == 403
    assert _pick(world, client).status_code == 403
    set_state(world, OPEN)
    assert _add_question(world, client).status_code == 403
    assert not Answer.objects.exists()
    assert files_in(world.media) == []


def test_members_cannot_delete_a_question_that_has_answers(world):
    set_state(world, OPEN)
    PickFactory(question=world.mine)
    AnswerFactory(question=world.mine, author=world.people["other"])
    assert _delete_question(world, world.clients["member"]).status_code == 403
    assert Question.objects.filter(pk=world.mine.pk).exists()
    assert _delete_question(world, world.clients["curator"]).status_code == 302
    assert not Question.objects.filter(pk=world.mine.pk).exists()


def _limit_to(w, limit):
    Round.objects.filter(pk=w.round.pk).update(question_limit=limit)
    w.round.refresh_from_db()


def test_the_question_form_refuses_one_past_the_rounds_limit(world):
    # The form reports the limit itself, before its save takes the lock and would refuse it
    # again; the view below cannot tell the two apart, so this is the form's own test.
    set_state(world, OPEN)
    _limit_to(world, 2)  # `member` already has two questions
    form = QuestionForm(
        {"label": "", "text": "셋째 질문"}, round=world.round, author=world.people["member"]
    )
    assert not form.is_valid()
    assert [e.code for e in form.non_field_errors().as_data()] == ["question_limit"]


def test_a_member_cannot_post_more_questions_than_the_rounds_limit(world):
    set_state(world, OPEN)
    _limit_to(world, 3)  # `member` already has two questions: room for one more
    client, member = world.clients["member"], world.people["member"]
    assert _add_question(world, client).status_code == 302
    assert member.questions.count() == 3
    # At the limit the board no longer offers "Add a question" (test_offers); sent anyway,
    # the form comes back with the reason.
    response = _add_question(world, client)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "question_limit"
    ]
    assert member.questions.count() == 3
    page = client.get(reverse("qa:question-add", args=[world.round.number]))
    assert [m.message for m in page.context["messages"]] == ["이 주차에 이미 질문을 3개 올렸습니다."]
    # The limit is per member: `other`, with one question, still has room.
    assert _add_question(world, world.clients["other"]).status_code == 302


@pytest.mark.parametrize("role", ["member", "curator"])
def test_nobody_answers_a_question_that_is_not_picked(world, role):
    # The round takes answers and `theirs` is not `member`'s or the curator's own: only the
    # missing pick stands in the way.
    user, client = world.people[role].user, world.clients[role]
    url = reverse("qa:question-answer", args=[world.theirs.pk])
    assert not Question.objects.get(pk=world.theirs.pk).can_answer(user)
    assert client.get(url).status_code == 403
    assert _create_answer(world, client).status_code == 403
    assert not Answer.objects.exists()
    # Once picked, the same person may answer: the refusal above was the missing pick alone.
    _pick_theirs_for_the_group(world)
    assert Question.objects.get(pk=world.theirs.pk).can_answer(user)
    assert _create_answer(world, client).status_code == 302
    assert Answer.objects.count() == 1


def test_draft_rounds_are_not_found_for_members(world):
    set_state(world, Round.State.DRAFT)
    assert _pick(world, world.clients["member"]).status_code == 404
    assert _edit_question(world, world.clients["member"]).status_code == 404
    assert _pick_for_group(world, world.clients["curator"]).status_code == 302


@pytest.mark.parametrize(
    "action",
    ["add question", "edit question", "pick", "create answer", "edit answer", "upload", "preview"],
)
def test_every_post_needs_the_csrf_token(world, action):
    state, prepare, act, snapshot = ACTIONS[action]
    set_state(world, state)
    if prepare:
        prepare(world)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.people["member"].user)
    snapshot = snapshot or (lambda w: None)
    before = snapshot(world)
    response = act(world, strict)
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert snapshot(world) == before


def test_forms_carry_the_csrf_token(world):
    set_state(world, OPEN)
    client = world.clients["member"]
    html = client.get(reverse("qa:question-add", args=[1])).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    board = client.get(world.round.get_absolute_url()).content.decode()
    assert board.count('method="post"') == board.count('name="csrfmiddlewaretoken"')


def test_picking_returns_to_the_page_it_came_from_and_never_elsewhere(world):
    client = world.clients["member"]
    url = reverse("qa:question-pick", args=[world.theirs.pk])
    page = world.theirs.get_absolute_url()
    response = client.post(url, {"pick": "1", "next": page})
    assert response["Location"] == page
    response = client.post(url, {"pick": "0", "next": "https://evil.example/"})
    assert response["Location"] == f"/rounds/1/#question-{world.theirs.pk}"
    assert not Pick.objects.exists()


@pytest.mark.parametrize("uses_picks", [True, False])
@pytest.mark.parametrize("state", list(Round.State))
def test_a_round_that_gives_the_reader_no_say_has_no_question_that_does(world, state, uses_picks):
    """Round.may_act_on_questions() lets a board skip each question's checks (qa_permissions):
    whenever it says no, every check of every question must say no too, and the fast answer
    of whether a question's actions show nothing must be the slow one."""
    from django.contrib.auth.models import AnonymousUser

    from qa.templatetags.qa_permissions import (
        SHOWS_NOTHING,
        can_edit,
        group_pick_offer,
        pick_offer,
    )

    from .factories import UserFactory

    member, other = world.people["member"], world.people["other"]
    PickFactory(question=world.theirs, picker=member)
    PickFactory(question=world.mine, picker=None)
    AnswerFactory(question=world.mine, author=other)
    Round.objects.filter(pk=world.round.pk).update(state=state, uses_picks=uses_picks)
    readers = {
        "visitor": AnonymousUser(),
        "author": member.user,
        "other": other.user,
        "curator": world.people["curator"].user,
        "staff without a member": UserFactory(username="staff", is_staff=True, password=None),
        "account without a member": UserFactory(username="nobody", password=None),
    }
    round_ = Round.objects.get(pk=world.round.pk)
    member_lists, _picked = round_.board()
    on_board = [question for _author, items in member_lists for question in items]
    plain = list(Question.objects.filter(round=round_).select_related("round"))
    say = {}
    for kind, user in readers.items():
        say[kind] = round_.may_act_on_questions(user)
        for question in on_board + plain:
            checks = [
                question.can_edit(user),
                question.can_pick(user),
                question.can_unpick(user),
                question.can_pick_for_group(user),
                question.can_unpick_for_group(user),
            ]
            if not say[kind]:
                assert not any(checks), (kind, question)
        for question in on_board:
            offers = [pick_offer(question, user), group_pick_offer(question, user)]
            slow = not (any(offers) or can_edit(question, user))
            fast = SHOWS_NOTHING["qa/_question_actions.html"](user, question)
            assert fast == slow, (kind, question)
    assert not say["visitor"] and not say["account without a member"]
    assert say["curator"] and say["staff without a member"]
    assert say["author"] == say["other"] == round_.is_in_progress()
