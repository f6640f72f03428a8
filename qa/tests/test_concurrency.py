"""Members picking and answering at the same moment, on PostgreSQL: no duplicates, no 500s.

Each request runs in its own thread with its own database connection; a barrier releases
them together. SQLite serializes whole-database writes, so the races only exist on PostgreSQL.
"""

import threading
from functools import partial

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from qa.models import Answer, Member, Pick, Revision, Round

from .factories import MemberFactory, QuestionFactory, RoundFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and races need PostgreSQL"
    ),
]

ATTEMPTS = 10


def client_for(member):
    client = Client()
    client.force_login(member.user)
    return client


def at_once(*calls):
    """Run the calls in threads released together; return their responses or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001  a server error, raised by the test client
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def statuses(results):
    assert not [r for r in results if isinstance(r, Exception)], results
    return sorted(r.status_code for r in results)


@pytest.fixture
def people():
    return [
        MemberFactory(name=f"m{i}", user=UserFactory(username=f"m{i}", password=None))
        for i in range(4)
    ]


@pytest.fixture
def round_(people):
    round_ = RoundFactory(number=1, state=Round.State.ANSWERING)
    for author in people:
        for position in (1, 2):
            QuestionFactory(round=round_, author=author, position=position)
    return round_


def pick(client, question, value="1"):
    return lambda: client.post(reverse("qa:question-pick", args=[question.pk]), {"pick": value})


def test_members_picking_the_same_question_at_once(people, round_):
    question = round_.questions.get(author=people[0], position=1)
    clients = [client_for(m) for m in people[1:]]
    for _ in range(ATTEMPTS):
        # Every member twice (a double click) and all at the same moment.
        results = at_once(*(pick(c, question) for c in clients for _twice in (1, 2)))
        assert statuses(results) == [302] * 6
        assert sorted(question.picks.values_list("picker__name", flat=True)) == ["m1", "m2", "m3"]
        at_once(*(pick(c, question, "0") for c in clients))
        assert not question.picks.exists()


def test_one_member_picking_two_questions_of_one_list_at_once(people, round_):
    first, second = round_.questions.filter(author=people[0]).order_by("position")
    client = client_for(people[1])
    for _ in range(ATTEMPTS):
        results = at_once(pick(client, first), pick(client, second))
        assert statuses(results) == [302, 302]
        assert Pick.objects.filter(picker=people[1]).count() == 1
        Pick.objects.all().delete()


def answer(client, question, body, version=0):
    url = reverse("qa:question-answer", args=[question.pk])
    return lambda: client.post(url, {"body": body, "version": version})


def test_members_answering_at_once(people, round_):
    question = round_.questions.get(author=people[0], position=1)
    question.pick()
    for attempt in range(ATTEMPTS):
        # Three members, each from two tabs with different texts, all at once.
        calls = [
            answer(client_for(m), question, f"{m.name} 탭 {tab} 시도 {attempt}")
            for m in people[1:]
            for tab in (1, 2)
        ]
        results = at_once(*calls)
        codes = statuses(results)
        assert set(codes) <= {302, 409}
        answers = Answer.objects.filter(question=question)
        assert sorted(answers.values_list("author__name", flat=True)) == ["m1", "m2", "m3"]
        # Per member, one tab saved; the other was shown a conflict with its own text.
        for result in results:
            if result.status_code == 409:
                assert result.context["theirs"] not in answers.values_list("body", flat=True)
        Answer.objects.all().delete()


def test_two_editors_saving_one_version_at_once(people, round_):
    question = round_.questions.get(author=people[0], position=1)
    question.pick()
    curator = UserFactory(username="curator", is_staff=True, password=None)
    target = Answer.objects.create(question=question, author=people[1], body="처음")
    url = reverse("qa:answer-edit", args=[target.pk])
    staff = Client()
    staff.force_login(curator)
    for attempt in range(ATTEMPTS):
        version = Answer.objects.get(pk=target.pk).version
        author = client_for(people[1])
        results = at_once(
            partial(author.post, url, {"body": f"작성자 {attempt}", "version": version}),
            partial(staff.post, url, {"body": f"운영진 {attempt}", "version": version}),
        )
        assert statuses(results) == [302, 409]
        saved = Answer.objects.get(pk=target.pk)
        assert saved.version == version + 1
        refused = next(r for r in results if r.status_code == 409)
        assert refused.context["theirs"] != saved.body
    assert Revision.objects.filter(answer=target).count() == ATTEMPTS


def test_the_importer_path_at_once(people, round_):
    question = round_.questions.get(author=people[0], position=1)
    question.pick()
    member = Member.objects.get(name="m1")
    for attempt in range(ATTEMPTS):
        results = at_once(
            partial(question.save_answer, member, f"하나 {attempt}"),
            partial(question.save_answer, member, f"둘 {attempt}"),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert Answer.objects.filter(question=question, author=member).count() == 1
        Answer.objects.all().delete()
