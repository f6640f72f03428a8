"""Answers are never lost: conflicts are refused with both texts shown, edits keep revisions."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from qa.models import ANSWER_MAX_LENGTH, Answer, Member, Pick, Revision, Round

from .factories import AnswerFactory, PickFactory, QuestionFactory, RoundFactory
from .people import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def question():
    question = QuestionFactory(round=RoundFactory(state=Round.State.ANSWERING), text="VIP란?")
    PickFactory(question=question)
    return question


@pytest.fixture
def bee():
    return sign_in("bee")


@pytest.fixture
def curator():
    return sign_in("curator", staff=True)


def loaded_version(response):
    """The version the editor page hands to the browser."""
    return response.context["form"]["version"].value()


def edit_url(answer):
    return reverse("qa:answer-edit", args=[answer.pk])


def test_writing_an_answer_renders_it_and_redirects_to_it(question, bee):
    url = reverse("qa:question-answer", args=[question.pk])
    page = bee.get(url)
    assert page.status_code == 200
    assert loaded_version(page) == 0
    assert 'class="markdownx"' in page.content.decode()
    assert 'data-markdownx-urls-path="/answers/preview/"' in page.content.decode()
    response = bee.post(url, {"body": "## L4\n\n`VIP`", "version": 0})
    answer = Answer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == answer.get_absolute_url()
    assert (answer.author.name, answer.version, answer.edited_by.username) == ("bee", 1, "bee")
    assert answer.body_html == "<h2>L4</h2>\n<p><code>VIP</code></p>\n"
    # The same address now edits that answer.
    assert loaded_version(bee.get(url)) == 1


def test_a_save_based_on_an_old_version_is_a_conflict_and_both_texts_survive(
    question, bee, curator
):
    answer = AnswerFactory(question=question, author=Member.objects.get(name="bee"), body="처음")
    author_version = loaded_version(bee.get(edit_url(answer)))
    curator_version = loaded_version(curator.get(edit_url(answer)))

    first = bee.post(edit_url(answer), {"body": "작성자의 수정", "version": author_version})
    assert first.status_code == 302
    second = curator.post(
        edit_url(answer), {"body": "운영진의 <b>수정</b>", "version": curator_version}
    )

    assert second.status_code == 409
    assert "qa/answer_conflict.html" in [t.name for t in second.templates]
    html = second.content.decode()
    assert "운영진의 &lt;b&gt;수정&lt;/b&gt;" in html  # their text, escaped, not saved
    assert "작성자의 수정" in html  # the current text
    answer.refresh_from_db()
    assert (answer.body, answer.version) == ("작성자의 수정", 2)
    assert list(answer.revisions.values_list("body", flat=True)) == ["처음"]
    # The page offers their text again, based on the current version, so a merge can be saved.
    assert second.context["form"]["body"].value() == "운영진의 <b>수정</b>"
    assert loaded_version(second) == 2
    merged = curator.post(edit_url(answer), {"body": "합친 답변", "version": 2})
    assert merged.status_code == 302
    answer.refresh_from_db()
    assert (answer.body, answer.version) == ("합친 답변", 3)
    assert list(answer.revisions.values_list("body", flat=True)) == ["작성자의 수정", "처음"]


def test_two_tabs_writing_a_first_answer_do_not_overwrite_each_other(question, bee):
    url = reverse("qa:question-answer", args=[question.pk])
    assert loaded_version(bee.get(url)) == loaded_version(bee.get(url)) == 0
    assert bee.post(url, {"body": "첫 탭", "version": 0}).status_code == 302
    response = bee.post(url, {"body": "둘째 탭", "version": 0})
    assert response.status_code == 409
    assert "둘째 탭" in response.content.decode()
    assert list(Answer.objects.values_list("body", flat=True)) == ["첫 탭"]


def test_saving_unchanged_text_from_an_old_version_is_no_conflict(question, bee):
    answer = AnswerFactory(question=question, author=Member.objects.get(name="bee"), body="같음")
    answer.body = "바뀜"
    answer.save()
    answer.body = "같음"
    answer.save()
    response = bee.post(edit_url(answer), {"body": "같음", "version": 1})
    assert response.status_code == 302
    assert Answer.objects.get().version == 3


def test_every_edit_keeps_the_text_it_replaced_with_who_wrote_it(question, bee, curator):
    answer = AnswerFactory(question=question, author=Member.objects.get(name="bee"), body="v1")
    bee.post(edit_url(answer), {"body": "v2", "version": 1})
    curator.post(edit_url(answer), {"body": "v3", "version": 2})
    bee.post(edit_url(answer), {"body": "v3", "version": 3})  # unchanged: no revision
    answer.refresh_from_db()
    assert (answer.body, answer.version, answer.editor_name) == ("v3", 3, "curator")
    revisions = list(answer.revisions.all())
    assert [(r.version, r.body, r.editor_name) for r in revisions] == [
        (2, "v2", "bee"),
        (1, "v1", "bee"),  # imported text has no editor: it is the author's own
    ]
    assert str(revisions[0]).startswith(str(answer)) and str(revisions[0]).endswith(" 2")


def test_history_lists_versions_and_shows_an_escaped_diff(question, bee):
    bee_member = Member.objects.get(name="bee")
    answer = AnswerFactory(
        question=question, author=bee_member, body="같은 줄\n<script>옛</script>"
    )
    bee.post(edit_url(answer), {"body": "같은 줄\n새 줄 & 끝", "version": 1})
    url = reverse("qa:answer-history", args=[answer.pk])
    page = bee.get(url)
    assert [v.version for v in page.context["versions"]] == [2, 1]
    assert page.context["diff"] is None
    response = bee.get(url, {"a": 1, "b": 2})
    html = response.content.decode()
    assert [(line.kind, line.text) for line in response.context["diff"]][1:] == [
        ("same", "같은 줄"),
        ("removed", "<script>옛</script>"),
        ("added", "새 줄 & 끝"),
    ]
    assert "<script>옛" not in html
    assert "&lt;script&gt;옛&lt;/script&gt;" in html
    assert "새 줄 &amp; 끝" in html
    assert bee.get(url, {"a": 1}).context["new"].version == 2  # b defaults to the current text


@pytest.mark.parametrize("query", [{"a": 9}, {"a": "x"}, {"a": 1, "b": 7}])
def test_history_of_unknown_versions_is_404(question, bee, query):
    answer = AnswerFactory(question=question, author=Member.objects.get(name="bee"))
    assert bee.get(reverse("qa:answer-history", args=[answer.pk]), query).status_code == 404


def test_restoring_a_version_is_itself_a_new_revision(question, bee):
    answer = AnswerFactory(question=question, author=Member.objects.get(name="bee"), body="원래")
    bee.post(edit_url(answer), {"body": "망친 수정", "version": 1})
    response = bee.post(reverse("qa:answer-restore", args=[answer.pk, 1]), follow=True)
    assert response.redirect_chain[-1][0] == answer.get_history_url()
    answer.refresh_from_db()
    assert (answer.body, answer.version) == ("원래", 3)
    assert answer.body_html == "<p>원래</p>\n"
    assert list(answer.revisions.values_list("version", "body")) == [(2, "망친 수정"), (1, "원래")]
    [message] = response.context["messages"]
    assert message.level_tag == "success" and "1" in str(message) and "3" in str(message)


def test_restore_of_an_unknown_version_is_404(question, bee):
    answer = AnswerFactory(question=question, author=Member.objects.get(name="bee"))
    assert bee.post(reverse("qa:answer-restore", args=[answer.pk, 5])).status_code == 404


def test_answer_length_is_capped_with_a_clear_error(question, bee):
    url = reverse("qa:question-answer", args=[question.pk])
    response = bee.post(url, {"body": "가" * (ANSWER_MAX_LENGTH + 1), "version": 0})
    assert response.status_code == 200
    assert not Answer.objects.exists()
    [error] = response.context["form"].errors.as_data()["body"]
    assert error.code == "max_length"
    assert f"{ANSWER_MAX_LENGTH}" in response.content.decode()
    assert f"{ANSWER_MAX_LENGTH + 1}" in response.content.decode()
    assert bee.post(url, {"body": "가" * ANSWER_MAX_LENGTH, "version": 0}).status_code == 302
    too_long = bee.post(reverse("qa:answer-preview"), {"content": "가" * (ANSWER_MAX_LENGTH + 1)})
    assert too_long.status_code == 400


def test_preview_renders_through_the_sanitizing_renderer(bee):
    RoundFactory(number=90, state=Round.State.ANSWERING)
    response = bee.post(
        reverse("qa:answer-preview"),
        {"content": "**굵게** <img src=x onerror=alert(1)> [a](javascript:alert(1))"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>굵게</strong>" in html
    assert "onerror" not in html and "javascript" not in html


@pytest.mark.parametrize("state", ["draft", "open", "closed"])
def test_members_preview_only_while_a_round_takes_answers(bee, state):
    Round.objects.update(state=state)
    RoundFactory(number=91, state=state)
    response = bee.post(reverse("qa:answer-preview"), {"content": "**굵게**"})
    assert response.status_code == 403


def test_preview_refuses_get(bee):
    assert bee.get(reverse("qa:answer-preview")).status_code == 405


def test_importer_save_answer_keeps_working_and_keeps_history(question):
    bee = Member.objects.create(name="bee")
    first = question.save_answer(bee, "초안")
    second = question.save_answer(bee, "고친 답")
    assert first.pk == second.pk
    second.refresh_from_db()
    assert (second.body, second.version, second.edited_by) == ("고친 답", 2, None)
    assert list(second.revisions.values_list("body", flat=True)) == ["초안"]


def test_admin_edits_keep_a_revision_and_name_the_curator(question, staff_client):
    answer = AnswerFactory(question=question, body="처음")
    response = staff_client.post(
        reverse("admin:qa_answer_change", args=[answer.pk]),
        {
            "question": question.pk,
            "author": answer.author.pk,
            "body": "운영진 수정",
            "base_version": answer.version,
        },
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.body, answer.version) == ("운영진 수정", 2)
    assert answer.edited_by == get_user_model().objects.get(username="curator")
    assert Revision.objects.get().body == "처음"


def test_an_admin_edit_that_does_not_say_which_version_it_edits_is_refused(question, staff_client):
    answer = AnswerFactory(question=question, body="처음")
    response = staff_client.post(
        reverse("admin:qa_answer_change", args=[answer.pk]),
        {"question": question.pk, "author": answer.author.pk, "body": "버전 없는 수정"},
    )
    assert response.status_code == 200  # the form again, with the error
    answer.refresh_from_db()
    assert (answer.body, answer.version) == ("처음", 1)


def test_the_last_pick_of_an_answered_question_stays(question):
    other = QuestionFactory(round=question.round)
    bee = sign_in("bee")
    sky = Member.objects.create(name="sky")
    Pick.objects.all().delete()
    PickFactory(question=other, picker=Member.objects.get(name="bee"))
    AnswerFactory(question=other, author=sky)
    url = reverse("qa:question-pick", args=[other.pk])
    # Not offered on the board (test_pages), and refused by the same rule (can_unpick).
    board = bee.get(other.round.get_absolute_url()).content.decode()
    assert "내 👀 취소" not in board and f'action="{url}"' not in board  # not offered
    response = bee.post(url, {"pick": "0"}, follow=True)  # and refused, with the reason
    assert response.status_code == 200
    assert other.picks.count() == 1
    [message] = response.context["messages"]
    assert message.level_tag == "error"


def test_board_shows_controls_only_to_those_allowed(question):
    member = sign_in("bee")
    round_ = question.round
    AnswerFactory(question=question, author=Member.objects.get(name="bee"), body="내 답")
    html = member.get(round_.get_absolute_url()).content.decode()
    assert reverse("qa:answer-edit", args=[Answer.objects.get().pk]) in html
    assert reverse("qa:question-pick", args=[question.pk]) in html
    other_html = sign_in("sky").get(round_.get_absolute_url()).content.decode()
    assert reverse("qa:answer-edit", args=[Answer.objects.get().pk]) not in other_html
    assert reverse("qa:question-answer", args=[question.pk]) in other_html
