"""Curation happens in the admin: a round with every member's questions on one page."""

import pytest
from django.urls import reverse

from qa.models import Pick, Question, Round

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db


def inline_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.parametrize("model", ["member", "round", "question", "pick", "answer"])
def test_changelist_and_add_pages_load(staff_client, make_round, model):
    make_round(members=3, questions_each=3)
    assert staff_client.get(reverse(f"admin:qa_{model}_changelist")).status_code == 200
    assert staff_client.get(reverse(f"admin:qa_{model}_add")).status_code == 200


def test_admin_is_in_korean(staff_client):
    html = staff_client.get(reverse("admin:qa_round_add")).content.decode()
    assert "회차 번호" in html
    assert "질문 (마크다운)" in html


def test_curator_adds_a_round_with_every_members_questions_inline(staff_client):
    bee, sky = MemberFactory(name="bee"), MemberFactory(name="sky")
    rows = [
        (bee, 1, "1.", "L4 Load Balancing과 L7 Load Balancing의 차이"),
        (bee, 2, "2.", "서버 이중화를 하는 이유"),
        (sky, 1, "Q1.", "Blocking I/O 가 리소스를 낭비하는 이유는 무엇인가요"),
    ]
    data = {"number": "2", "title": "2주차", "state": "open", **inline_management("questions", 3)}
    for i, (author, position, label, text) in enumerate(rows):
        data |= {
            f"questions-{i}-author": author.pk,
            f"questions-{i}-position": position,
            f"questions-{i}-label": label,
            f"questions-{i}-text": text,
        }
    response = staff_client.post(reverse("admin:qa_round_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    round_ = Round.objects.get(number=2)
    assert round_.state == Round.State.QUESTIONS_OPEN
    assert [(q.author.name, q.position, q.label, q.text) for q in round_.questions.order_by("pk")] == [
        (a.name, p, lbl, t) for a, p, lbl, t in rows
    ]
    assert round_.questions.get(label="Q1.").text_html.startswith("<p>Blocking I/O")


def test_duplicate_position_in_the_inline_is_a_form_error(staff_client):
    bee = MemberFactory(name="bee")
    data = {"number": "3", "title": "", "state": "draft", **inline_management("questions", 2)}
    for i in range(2):
        data |= {
            f"questions-{i}-author": bee.pk,
            f"questions-{i}-position": 1,
            f"questions-{i}-label": "1.",
            f"questions-{i}-text": f"질문 {i}",
        }
    response = staff_client.post(reverse("admin:qa_round_add"), data)
    assert response.status_code == 200
    assert not Round.objects.exists()
    assert not Question.objects.exists()


def test_pick_rules_are_form_errors_in_the_admin_not_server_errors(staff_client):
    first = QuestionFactory(position=1)
    second = QuestionFactory(round=first.round, author=first.author, position=2)
    picker = MemberFactory(name="choi")
    PickFactory(question=first, picker=picker)
    data = {
        "round": second.round.pk,
        "author": second.author.pk,
        "position": second.position,
        "label": second.label,
        "text": second.text,
        **inline_management("picks", 1),
        "picks-0-picker": picker.pk,
        "picks-0-question": second.pk,
        **inline_management("answers", 0),
    }
    response = staff_client.post(reverse("admin:qa_question_change", args=[second.pk]), data)
    assert response.status_code == 200
    assert "한 회차에서 멤버마다 다른 멤버의 질문 목록에서 한 문제만" in response.content.decode()
    assert Pick.objects.count() == 1

    own = {**data, "picks-0-picker": second.author.pk}
    response = staff_client.post(reverse("admin:qa_question_change", args=[second.pk]), own)
    assert "자신의 질문은 고를 수 없습니다." in response.content.decode()
    assert Pick.objects.count() == 1


def test_round_changelist_shows_counts(staff_client, make_round):
    # Its queries are pinned in test_scale.PAGES.
    for number in range(1, 11):
        make_round(members=3, questions_each=2, number=number)
    response = staff_client.get(reverse("admin:qa_round_changelist"))
    first = response.context["cl"].result_list[0]
    assert (first.question_count, first.pick_count, first.answer_count) == (6, 3, 3)


def test_publish_action(staff_client):
    drafts = [RoundFactory(state=Round.State.DRAFT) for _ in range(2)]
    staff_client.post(
        reverse("admin:qa_round_changelist"),
        {"action": "publish", "_selected_action": [r.pk for r in drafts]},
    )
    assert set(Round.objects.values_list("state", flat=True)) == {Round.State.QUESTIONS_OPEN}


def test_answer_edited_in_admin_is_rerendered(staff_client):
    answer = AnswerFactory(body="처음")
    PickFactory(question=answer.question)
    response = staff_client.post(
        reverse("admin:qa_answer_change", args=[answer.pk]),
        {"question": answer.question.pk, "author": answer.author.pk, "body": "**고침**"},
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.body_html == "<p><strong>고침</strong></p>\n"


def test_visitors_cannot_reach_the_admin(client):
    response = client.get(reverse("admin:qa_round_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
