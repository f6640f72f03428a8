"""Curation happens in the admin: a round with every member's questions on one page."""

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from qa.admin import AnswerAdminForm
from qa.models import Answer, Member, Pick, Question, Round

from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory
from .people import sign_in

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


def test_uploads_are_listed_and_never_added_or_changed_in_the_admin(staff_client):
    assert staff_client.get(reverse("admin:qa_upload_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:qa_upload_add")).status_code == 403


def test_admin_is_in_korean(staff_client):
    html = staff_client.get(reverse("admin:qa_round_add")).content.decode()
    assert "주차 번호" in html
    assert "질문 (마크다운)" in html


@pytest.mark.parametrize(
    "language, header, index",
    [("ko", "StudyBoard 관리", "관리"), ("en", "StudyBoard administration", "Curation")],
)
def test_admin_is_branded_studyboard(staff_client, client, language, header, index):
    html = staff_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<div id="site-name"><a href="{reverse("admin:index")}">{header}</a></div>' in html
    assert f"<title>{index} | {header}</title>" in html
    assert "Django" not in html
    # The admin signs in through StudyBoard's rate-limited sign-in (test_accounts).
    login = client.get(reverse("admin:login"), {"next": "/admin/"})
    assert login["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def inline_rows(response):
    formset = response.context["inline_admin_formsets"][0].formset
    return formset.total_form_count(), formset.initial_form_count()


def test_round_inline_adds_one_empty_row_to_a_new_round_and_none_to_an_existing_one(
    staff_client, make_round
):
    assert inline_rows(staff_client.get(reverse("admin:qa_round_add"))) == (1, 0)
    round_ = make_round(members=3, questions_each=2)
    change = staff_client.get(reverse("admin:qa_round_change", args=[round_.pk]))
    assert inline_rows(change) == (6, 6)
    # A question box of three lines, not ten, keeps a round of questions on a few screens.
    html = change.content.decode()
    assert re.search(r'<textarea name="questions-0-text" cols="40" rows="3"', html)
    assert "qa/css/admin.css" in html


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
    assert "한 주차에서 멤버마다 다른 멤버의 질문 목록에서 한 문제만" in response.content.decode()
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
    url = reverse("admin:qa_answer_change", args=[answer.pk])
    response = staff_client.post(url, sent_by(staff_client.get(url)) | {"body": "**고침**"})
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.body_html == "<p><strong>고침</strong></p>\n"


def test_visitors_cannot_reach_the_admin(client):
    response = client.get(reverse("admin:qa_round_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# Answers edited in the admin: its own page and the question page's inline. A member may save
# while a curator has the page open; the curator's save must not replace that newer text.


def sent_by(page):
    """What a browser sends when the admin page's form is saved as it was loaded (or, after an
    error, as it was shown again)."""
    forms = [page.context["adminform"].form]
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        forms += inline.formset.forms
        data |= {field.html_name: field.value() for field in inline.formset.management_form}
    for form in forms:
        for field in form:
            value = field.value()
            if value is not None and value is not False:  # an unticked box sends nothing
                data[field.html_name] = value
    return data


def answer_forms(page):
    """The answer forms of the question page's inline."""
    (inline,) = [i for i in page.context["inline_admin_formsets"] if i.formset.prefix == "answers"]
    return inline.formset.forms


def shown_box(html, box_id):
    """The text in a box of the page, as the page holds it (escaped)."""
    match = re.search(rf'<textarea[^>]* id="{box_id}"[^>]*>\n(.*?)</textarea>', html, re.DOTALL)
    assert match, f"no #{box_id} on the page"
    return match.group(1)


@pytest.fixture
def bee():
    return sign_in("bee")


@pytest.fixture
def answer(bee):
    question = QuestionFactory(round=RoundFactory(state=Round.State.ANSWERING), text="VIP란?")
    PickFactory(question=question)
    return AnswerFactory(question=question, author=Member.objects.get(name="bee"), body="처음")


def member_edits(client, answer, body):
    """The author saves a new text through the board's editor, from the current version."""
    version = Answer.objects.get(pk=answer.pk).version
    response = client.post(
        reverse("qa:answer-edit", args=[answer.pk]), {"body": body, "version": version}
    )
    assert response.status_code == 302


def answer_url(answer):
    return reverse("admin:qa_answer_change", args=[answer.pk])


def question_url(answer):
    return reverse("admin:qa_question_change", args=[answer.question_id])


def test_admin_answer_edit_over_a_newer_member_edit_is_refused_with_both_texts(
    staff_client, bee, answer
):
    page = staff_client.get(answer_url(answer))
    member_edits(bee, answer, "작성자의 수정\n둘째 줄")

    response = staff_client.post(
        answer_url(answer), sent_by(page) | {"body": "운영진의 <b>수정</b>\n둘째 줄"}
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.has_error("body", code="conflict")
    answer.refresh_from_db()
    assert (answer.body, answer.version, answer.edited_by.username) == (
        "작성자의 수정\n둘째 줄", 2, "bee"
    )  # fmt: skip
    assert "bee" in form.errors["body"][0]  # who saved the newer text
    html = response.content.decode()
    # Their text stays in the box; the stored text and the changes are shown beside it.
    assert shown_box(html, "id_body") == "운영진의 &lt;b&gt;수정&lt;/b&gt;\n둘째 줄"
    assert shown_box(html, "id_body_current") == "작성자의 수정\n둘째 줄"
    assert "-작성자의 수정\n+운영진의 &lt;b&gt;수정&lt;/b&gt;\n 둘째 줄" in shown_box(
        html, "id_body_diff"
    )

    # Saved again from the page as shown, the text is an edit of the version it was shown with.
    merged = staff_client.post(answer_url(answer), sent_by(response) | {"body": "합친 답변"})
    assert merged.status_code == 302
    answer.refresh_from_db()
    assert (answer.body, answer.version, answer.edited_by.username) == ("합친 답변", 3, "curator")
    assert list(answer.revisions.values_list("body", flat=True)) == ["작성자의 수정\n둘째 줄", "처음"]


def test_inline_answer_edit_over_a_newer_member_edit_is_refused_with_both_texts(
    staff_client, bee, answer
):
    page = staff_client.get(question_url(answer))
    (loaded,) = answer_forms(page)
    member_edits(bee, answer, "작성자의 수정")

    prefix = loaded.prefix
    data = sent_by(page) | {f"{prefix}-body": "운영진의 수정", "text": "VIP(Virtual IP)란?"}
    response = staff_client.post(question_url(answer), data)

    assert response.status_code == 200
    (shown,) = answer_forms(response)
    assert shown.has_error("body", code="conflict")
    answer.refresh_from_db()
    assert (answer.body, answer.version, answer.edited_by.username) == ("작성자의 수정", 2, "bee")
    # Nothing on the page was saved, not even the question's own change.
    assert Question.objects.get(pk=answer.question_id).text == "VIP란?"
    html = response.content.decode()
    assert shown_box(html, f"id_{prefix}-body") == "운영진의 수정"
    assert shown_box(html, f"id_{prefix}-body_current") == "작성자의 수정"
    assert "-작성자의 수정\n+운영진의 수정" in shown_box(html, f"id_{prefix}-body_diff")

    merged = staff_client.post(question_url(answer), sent_by(response) | {f"{prefix}-body": "합친"})
    assert merged.status_code == 302
    answer.refresh_from_db()
    assert (answer.body, answer.version, answer.edited_by.username) == ("합친", 3, "curator")
    assert Question.objects.get(pk=answer.question_id).text == "VIP(Virtual IP)란?"


def test_saving_the_question_page_keeps_a_newer_text_of_an_answer_left_as_it_was(
    staff_client, bee, answer
):
    page = staff_client.get(question_url(answer))
    member_edits(bee, answer, "작성자의 수정")

    # Only the question changes; the page still sends the answer's text as it was loaded.
    data = sent_by(page) | {"text": "VIP(Virtual IP)란?"}
    response = staff_client.post(question_url(answer), data)

    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.body, answer.version, answer.edited_by.username) == ("작성자의 수정", 2, "bee")
    assert Question.objects.get(pk=answer.question_id).text == "VIP(Virtual IP)란?"


@pytest.mark.parametrize("page", ["answer", "question"])
def test_admin_answer_edit_saves_a_new_version_by_the_curator(staff_client, answer, page):
    url = answer_url(answer) if page == "answer" else question_url(answer)
    loaded = staff_client.get(url)
    body_field = "body" if page == "answer" else f"{answer_forms(loaded)[0].prefix}-body"

    response = staff_client.post(url, sent_by(loaded) | {body_field: "운영진의 수정\r\n둘째 줄"})

    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.body, answer.version, answer.edited_by.username) == (
        "운영진의 수정\n둘째 줄", 2, "curator"
    )  # fmt: skip
    assert list(answer.revisions.values_list("body", flat=True)) == ["처음"]


def test_admin_save_of_an_unchanged_answer_changes_nothing_of_its_text(staff_client, answer):
    response = staff_client.post(answer_url(answer), sent_by(staff_client.get(answer_url(answer))))
    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.body, answer.version, answer.edited_by) == ("처음", 1, None)
    assert not answer.revisions.exists()


def in_another_connection(call):
    """Run the call as another request would: its own connection, committed at once, whatever
    the transaction this thread is in does later."""
    failures = []

    def run():
        try:
            call()
        except Exception as error:  # noqa: BLE001  handed back to the test's thread
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the other connection is still waiting"
    if failures:
        raise failures[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and races need PostgreSQL")
@pytest.mark.parametrize("page", ["answer", "question"])
def test_member_saving_between_the_admin_check_and_save_is_a_conflict_not_a_500(
    staff_client, bee, answer, page, monkeypatch
):
    """The member's save commits after the form's check passed and before the admin saves:
    Answer.save() refuses under its row lock, and the page shows the conflict."""
    url = answer_url(answer) if page == "answer" else question_url(answer)
    loaded = staff_client.get(url)
    body_field = "body" if page == "answer" else f"{answer_forms(loaded)[0].prefix}-body"
    check = AnswerAdminForm.clean
    raced = []

    def check_then_member_saves(form):
        cleaned_data = check(form)
        if not raced:
            raced.append(form.errors.copy())
            in_another_connection(lambda: member_edits(bee, answer, "작성자의 수정"))
        return cleaned_data

    monkeypatch.setattr(AnswerAdminForm, "clean", check_then_member_saves)
    response = staff_client.post(url, sent_by(loaded) | {body_field: "운영진의 수정"})

    assert raced == [{}]  # the check itself passed: only the save could see the member's text
    assert response.status_code == 200
    answer.refresh_from_db()
    assert (answer.body, answer.version, answer.edited_by.username) == ("작성자의 수정", 2, "bee")
    form = response.context["adminform"].form if page == "answer" else answer_forms(response)[0]
    assert form.has_error("body", code="conflict")
    html = response.content.decode()
    assert shown_box(html, f"id_{body_field}") == "운영진의 수정"
    assert shown_box(html, f"id_{body_field}_current") == "작성자의 수정"
