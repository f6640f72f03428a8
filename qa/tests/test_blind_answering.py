"""Blind answering: while a round takes answers, a member reads others' answers to a question only
after posting their own, on every page and output that shows answers, cached or not."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qa.models import Answer, Member, Round

from .factories import AnswerFactory, PickFactory, QuestionFactory, RoundFactory
from .people import sign_in

pytestmark = pytest.mark.django_db

# Words found in one answer each, and nowhere else on a page.
ANNS = "zebrafinch"  # ann's answer to the asker's first question
CARLS_FIRST = "quokkanest"  # carl's answer to the same question
CARLS_SECOND = "narwhalbay"  # carl's answer to the asker's second question, which ann skipped


@pytest.fixture
def week():
    """A round taking answers with blind answering on: the asker's two picked questions, ann's
    answer to the first, carl's to both; bob, a member, has answered nothing yet."""
    clients = {
        "asker": sign_in("asker"),
        "ann": sign_in("ann"),
        "carl": sign_in("carl"),
        "bob": sign_in("bob"),
        "curator": sign_in("curator", staff=True, member=False),
        "visitor": Client(),
    }
    members = {m.name: m for m in Member.objects.all()}
    round_ = RoundFactory(blind_answers=True)
    first = QuestionFactory(round=round_, author=members["asker"], position=1)
    second = QuestionFactory(round=round_, author=members["asker"], position=2)
    PickFactory(question=first, picker=members["ann"])
    PickFactory(question=second, picker=members["carl"])
    answers = {
        ANNS: AnswerFactory(question=first, author=members["ann"], body=f"ann: {ANNS}"),
        CARLS_FIRST: AnswerFactory(question=first, author=members["carl"], body=CARLS_FIRST),
        CARLS_SECOND: AnswerFactory(question=second, author=members["carl"], body=CARLS_SECOND),
    }
    round_.refresh_from_db()
    return round_, first, second, members, clients, answers


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def shown(page):
    """Which of the answers' words a page shows."""
    return {word for word in (ANNS, CARLS_FIRST, CARLS_SECOND) if word in page}


def post_answer(client, question, body):
    response = client.post(
        reverse("qa:question-answer", args=[question.pk]), {"body": body, "version": 0}
    )
    assert response.status_code == 302


def close(round_):
    Round.objects.filter(pk=round_.pk).update(state=Round.State.CLOSED)
    round_.refresh_from_db()


ALL = {ANNS, CARLS_FIRST, CARLS_SECOND}
# Who reads what while the round takes answers: the asker and curators all; ann her own
# question's answers (she answered the first, not the second); carl both (he answered both);
# bob and visitors none.
READS = {
    "asker": ALL,
    "curator": ALL,
    "ann": {ANNS, CARLS_FIRST},
    "carl": ALL,
    "bob": set(),
    "visitor": set(),
}


@pytest.mark.parametrize("reader", sorted(READS))
def test_the_board_shows_each_reader_only_the_answers_they_may_read(week, reader):
    round_, _first, _second, _members, clients, answers = week
    page = text(clients[reader].get(round_.get_absolute_url()))
    assert shown(page) == READS[reader]
    for word, answer in answers.items():
        assert (f'id="answer-{answer.pk}"' in page) == (word in READS[reader])
        # The matrix still says who has answered, without a link to a hidden answer.
        assert (f'href="#answer-{answer.pk}"' in page) == (word in READS[reader])
    assert page.count("matrix__cell--answered") == 3
    assert page.count("matrix__cell--hidden") == 3 - len(READS[reader])
    # The board says why answers are hidden.
    assert 'id="blind-answering"' in page


def test_the_board_says_how_many_answers_are_hidden_and_how_to_see_them(week):
    round_, first, second, _members, clients, _answers = week
    with translation.override("en"):
        bob = text(clients["bob"].get(round_.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"))
        visitor = text(clients["visitor"].get(round_.get_absolute_url()))
    assert f'id="hidden-answers-{first.pk}"' in bob
    assert f'id="hidden-answers-{second.pk}"' in bob
    assert reverse("qa:question-answer", args=[first.pk]) in bob
    # Visitors are asked to sign in; the way back is the question.
    assert f"{reverse('account_login')}?next=" in visitor
    assert reverse("qa:question-answer", args=[first.pk]) not in visitor
    # The curators' notice is the board's; they have nothing hidden.
    curator = text(clients["curator"].get(round_.get_absolute_url()))
    assert "hidden-answers-" not in curator


def test_posting_an_answer_reveals_that_questions_answers_only(week):
    round_, first, second, _members, clients, _answers = week
    post_answer(clients["bob"], first, "bob's own text")
    page = text(clients["bob"].get(round_.get_absolute_url()))
    assert shown(page) == {ANNS, CARLS_FIRST}
    assert "bob&#x27;s own text" in page or "bob's own text" in page
    post_answer(clients["bob"], second, "bob's second")
    assert shown(text(clients["bob"].get(round_.get_absolute_url()))) == ALL


@pytest.mark.parametrize("reader", sorted(READS))
def test_everything_shows_once_the_round_closes(week, reader):
    round_, first, _second, members, clients, _answers = week
    close(round_)
    assert shown(text(clients[reader].get(round_.get_absolute_url()))) == ALL
    assert shown(text(clients[reader].get(first.get_absolute_url()))) == {ANNS, CARLS_FIRST}
    assert CARLS_SECOND in text(clients[reader].get(members["carl"].get_absolute_url()))


def test_a_round_without_blind_answering_shows_every_answer(week):
    round_, *_rest, clients, _answers = week
    Round.objects.filter(pk=round_.pk).update(blind_answers=False)
    assert shown(text(clients["visitor"].get(round_.get_absolute_url()))) == ALL
    assert shown(text(clients["bob"].get(round_.get_absolute_url()))) == ALL


@pytest.mark.parametrize("reader", sorted(READS))
def test_the_question_page_shows_only_what_the_reader_may_read(week, reader):
    _round, first, second, _members, clients, _answers = week
    page = text(clients[reader].get(first.get_absolute_url()))
    assert shown(page) == READS[reader] & {ANNS, CARLS_FIRST}
    page = text(clients[reader].get(second.get_absolute_url()))
    assert shown(page) == READS[reader] & {CARLS_SECOND}
    hides = CARLS_SECOND not in READS[reader]
    assert (f'id="hidden-answers-{second.pk}"' in page) == hides


@pytest.mark.parametrize("reader", sorted(READS))
def test_member_pages_list_hidden_answers_without_their_text(week, reader):
    *_rest, members, clients, answers = week
    page = text(clients[reader].get(members["carl"].get_absolute_url()))
    assert shown(page) == READS[reader] & {CARLS_FIRST, CARLS_SECOND}
    hidden = {CARLS_FIRST, CARLS_SECOND} - READS[reader]
    assert page.count("answer-hidden") == len(hidden)
    for word in hidden:  # listed (the matrix says as much), never linked
        assert f"#answer-{answers[word].pk}" not in page


@pytest.mark.parametrize("reader", sorted(READS))
def test_search_never_finds_a_hidden_answer(week, reader):
    *_rest, clients, answers = week
    for word, answer in answers.items():
        page = text(clients[reader].get(reverse("qa:search"), {"q": word}))
        assert (f"#answer-{answer.pk}" in page) == (word in READS[reader])
        assert (f"<mark>{word}</mark>" in page) == (word in READS[reader])


def test_search_finds_an_answer_once_the_reader_has_answered(week):
    _round, first, *_rest, clients, answers = week
    search = reverse("qa:search")
    assert f"#answer-{answers[ANNS].pk}" not in text(clients["bob"].get(search, {"q": ANNS}))
    post_answer(clients["bob"], first, "bob's own text")
    assert f"#answer-{answers[ANNS].pk}" in text(clients["bob"].get(search, {"q": ANNS}))


def test_the_answer_feed_leaves_hidden_answers_out_until_the_round_closes(week):
    round_, *_rest, clients, _answers = week
    assert shown(text(clients["visitor"].get(reverse("qa:answer-feed")))) == set()
    close(round_)
    assert shown(text(clients["visitor"].get(reverse("qa:answer-feed")))) == ALL


@pytest.mark.parametrize("reader", sorted(READS))
def test_the_markdown_export_holds_only_what_the_reader_may_read(week, reader):
    round_, *_rest, clients, _answers = week
    response = clients[reader].get(reverse("qa:round-export", args=[round_.number]))
    assert shown(text(response)) == READS[reader]


@pytest.mark.parametrize("reader", sorted(READS))
def test_a_hidden_answers_history_and_editor_are_not_there(week, reader):
    *_rest, clients, answers = week
    for word, answer in answers.items():
        response = clients[reader].get(answer.get_history_url())
        if reader == "visitor":
            assert response.status_code == 302  # asked to sign in, as before
        elif word in READS[reader]:
            assert response.status_code == 200
        else:
            assert response.status_code == 404
            edit = clients[reader].get(reverse("qa:answer-edit", args=[answer.pk]))
            assert edit.status_code == 404


def test_the_editors_conflict_page_shows_the_writers_own_answer_only(week):
    _round, _first, second, _members, clients, _answers = week
    post_answer(clients["bob"], second, "bob's first text")
    # The same form sent again, from the version it was loaded at: a conflict with itself.
    response = clients["bob"].post(
        reverse("qa:question-answer", args=[second.pk]), {"body": "bob again", "version": 0}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "bob&#x27;s first text" in page
    assert CARLS_SECOND not in page


def test_the_whole_history_export_is_the_curators_and_holds_every_answer(week):
    from qa.history import export_rounds

    rounds, _images = export_rounds()
    texts = {body for r in rounds for q in r.questions for _name, body in q.answers}
    assert shown(" ".join(texts)) == ALL


def test_review_and_interviews_read_answers_through_the_same_rule(week):
    round_, _first, _second, members, _clients, _answers = week
    bodies = lambda member, **kw: shown(  # noqa: E731
        " ".join(Answer.objects.revealed_to(member, **kw).values_list("body", flat=True))
    )
    assert bodies(members["bob"]) == set()
    assert bodies(None) == set()
    assert bodies(members["ann"]) == {ANNS, CARLS_FIRST}
    assert bodies(members["asker"]) == ALL
    assert bodies(members["bob"], curator=True) == ALL
    hidden = Answer.objects.hidden_from(members["ann"]).values_list("body", flat=True)
    assert shown(" ".join(hidden)) == {CARLS_SECOND}
    close(round_)
    assert bodies(members["bob"]) == ALL


PAGES = {
    "board": lambda round_, first, members: round_.get_absolute_url(),
    "question": lambda round_, first, members: first.get_absolute_url(),
    "member page": lambda round_, first, members: members["ann"].get_absolute_url(),
    "search": lambda round_, first, members: f"{reverse('qa:search')}?q={ANNS}",
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_no_answer_leaks_through_a_page_another_reader_cached(week, page):
    round_, first, _second, members, clients, answers = week
    path = PAGES[page](round_, first, members)

    def reads_anns(client):
        # Her answer's anchor (board, question page, member page, search hit), and on all but
        # the search page, whose query is the word itself, its text.
        html = text(client.get(path))
        found = f'answer-{answers[ANNS].pk}"' in html
        assert page == "search" or found == (ANNS in html)
        return found

    # Those who may read ann's answer warm every cache first.
    for reader in ("ann", "asker", "curator"):
        assert reads_anns(clients[reader])
    assert not reads_anns(clients["visitor"])
    bob = clients["bob"]
    assert not reads_anns(bob)
    assert not reads_anns(Client())  # a visitor's cached copy
    post_answer(bob, first, "bob's own text")
    assert reads_anns(bob)
    assert not reads_anns(Client())
    # Another member who has not answered still reads nothing, from the same caches.
    assert not reads_anns(sign_in("dana"))


def test_a_cached_member_page_follows_the_admins_bulk_state_change(week):
    round_, _first, _second, members, clients, _answers = week
    path = members["carl"].get_absolute_url()
    assert CARLS_SECOND not in text(clients["bob"].get(path))
    assert CARLS_SECOND not in text(clients["visitor"].get(path))
    # The admin's actions update the state alone: no revision, no `updated`.
    Round.objects.filter(pk=round_.pk).update(state=Round.State.CLOSED)
    assert CARLS_SECOND in text(clients["bob"].get(path))
    assert CARLS_SECOND in text(Client().get(path))
    Round.objects.filter(pk=round_.pk).update(state=Round.State.ANSWERING)
    assert CARLS_SECOND not in text(clients["bob"].get(path))
    assert CARLS_SECOND not in text(Client().get(path))


def hiding_round(members):
    """A round hiding answers, each of `members` answering the one picked question."""
    round_ = RoundFactory(blind_answers=True)
    people = [sign_in(f"m{i}") and Member.objects.get(name=f"m{i}") for i in range(members)]
    question = QuestionFactory(round=round_, author=people[0], position=1)
    PickFactory(question=question, picker=people[1])
    for person in people[1:]:
        AnswerFactory(question=question, author=person)
    return round_, question


@pytest.mark.parametrize("members", [4, 40])
def test_the_boards_queries_do_not_grow_with_hidden_answers(
    members, django_assert_max_num_queries
):
    round_, question = hiding_round(members)
    reader = sign_in("reader")
    # As test_scale pins them for a member: session, user and member, the round, the answers
    # the reader may read (one query), the questions, their picks, their answers, the
    # reader's reactions, their "new for you" list and the start of their visit.
    with django_assert_max_num_queries(10):
        page = text(reader.get(round_.get_absolute_url()))
    assert page.count("matrix__cell--hidden") == members - 1
    # The question page: no list and no visit, but the answers' follow-ups.
    with django_assert_max_num_queries(9):
        text(reader.get(question.get_absolute_url()))
    # Again, from the cached shared parts: the reader's session, user, round and reveal, their
    # reactions and list.
    with django_assert_max_num_queries(6):
        text(reader.get(round_.get_absolute_url()))


def test_visitors_board_needs_no_query_to_know_they_read_nothing(
    django_assert_max_num_queries,
):
    round_, _question = hiding_round(4)
    Client().get(round_.get_absolute_url())
    with django_assert_max_num_queries(1):  # the round: the rest is the cached page
        Client().get(round_.get_absolute_url())


def test_new_rounds_hide_answers_and_imported_ones_do_not(tmp_path):
    from django.core.management import call_command

    with open(tmp_path / "out", "w") as out:
        call_command("load_demo", stdout=out)
    demo = Round.objects.get(number=1)
    assert demo.state == Round.State.ANSWERING
    assert demo.blind_answers is False
    assert Round.objects.create(number=50).blind_answers is True


def test_the_admin_shows_and_edits_the_option(week):
    round_, *_rest, clients, _answers = week
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="curator").update(is_superuser=True)
    page = text(clients["curator"].get(reverse("admin:qa_round_change", args=[round_.pk])))
    assert 'name="blind_answers"' in page
    listing = text(clients["curator"].get(reverse("admin:qa_round_changelist")))
    assert "blind_answers" in listing
