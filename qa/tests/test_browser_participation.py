"""Journeys 2 and 3 in a real browser: a member picks, writes and saves an answer; two tabs
editing one answer end on the conflict page instead of losing a text."""

import pytest

from qa.models import Answer, Question

from .browsing import (
    ANSWER_WITH_TABLE_AND_CODE,
    load_demo_week,
    member_account,
    sign_in,
    write_in_editor,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_signs_in_picks_writes_with_preview_and_finds_the_answer_on_the_board(
    page, live_server, shoot, settings
):
    # Signing in through the form hashes the password; the fastest hasher keeps that cheap.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_week()
    user = member_account("bee")
    user.set_password("pick-and-answer-7")
    user.save(update_fields=["password"])
    question = Question.objects.get(author__name="sky", label="Q2.")

    page.goto(live_server.url + "/accounts/login/?next=/")
    page.locator("#id_login").fill(user.username)
    page.locator("#id_password").fill("pick-and-answer-7")
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(live_server.url + "/")
    assert "bee" in page.locator(".account__name").inner_text()

    item = page.locator(f"#question-{question.pk}")
    pick = item.get_by_role("button", name="고르기")
    assert pick.get_attribute("aria-pressed") == "false"
    pick.click()
    taken_back = item.get_by_role("button", name="내 👀 취소")
    assert taken_back.get_attribute("aria-pressed") == "true"
    assert "bee" in item.locator(".pick__by").inner_text()
    taken_back.click()  # 👀 toggles: off again, then on for good
    item.get_by_role("button", name="고르기").click()
    assert item.get_by_role("button", name="내 👀 취소").is_visible()

    page.locator(f"#picked-{question.pk}").get_by_role("link", name="답변 쓰기").click()
    page.wait_for_url(f"**/questions/{question.pk}/answer/")
    write_in_editor(page, ANSWER_WITH_TABLE_AND_CODE)
    preview = page.locator(".markdownx-preview")
    assert preview.locator("th").all_inner_texts() == ["구분", "L4 로드 밸런서", "L7 로드 밸런서"]
    assert "pick_server" in preview.locator("pre").inner_text()
    assert not Answer.objects.filter(author__name="bee").exists()  # only previewed so far
    shoot(page, "editor")

    page.get_by_role("button", name="답변 저장").click()
    page.wait_for_url(f"**/questions/{question.pk}/#answer-*")
    answer = Answer.objects.get(author__name="bee")

    page.goto(live_server.url + "/")
    saved = page.locator(f"#picked-{question.pk} #answer-{answer.pk}")
    assert saved.locator(".answer__author").inner_text() == "bee"
    assert saved.locator("table th").first.inner_text() == "구분"
    assert "pick_server" in saved.locator("pre").inner_text()
    saved.scroll_into_view_if_needed()
    shoot(page, "board")


def test_two_tabs_editing_one_answer_end_on_the_conflict_page_with_both_texts(
    page, live_server, shoot
):
    load_demo_week()
    sign_in(page.context, live_server, member_account("sky"))
    answer = Answer.objects.get(author__name="sky", question__author__name="bee")
    edit_url = f"{live_server.url}/answers/{answer.pk}/edit/"
    first, second = page, page.context.new_page()
    first.goto(edit_url)
    second.goto(edit_url)

    first.locator(".markdownx textarea").fill("첫 탭에서 고친 답변: L4는 전송 계층에서 나눈다.")
    first.get_by_role("button", name="답변 저장").click()
    first.wait_for_url(f"**/#answer-{answer.pk}")

    second.locator(".markdownx textarea").fill("둘째 탭에서 고친 답변: L7은 요청 내용을 본다.")
    with second.expect_response(lambda response: response.request.method == "POST") as saved:
        second.get_by_role("button", name="답변 저장").click()
    assert saved.value.status == 409
    assert second.locator("h1").inner_text() == "수정하는 동안 다른 사람이 이 답변을 저장했습니다"
    yours, current = second.locator(".conflict__text").all_inner_texts()
    assert yours == "둘째 탭에서 고친 답변: L7은 요청 내용을 본다."
    assert current == "첫 탭에서 고친 답변: L4는 전송 계층에서 나눈다."
    shoot(second, "conflict")

    # The editor below holds the second tab's text, based on the current version: merge, save.
    editor = second.locator(".markdownx textarea")
    assert editor.input_value() == yours
    editor.fill(current + "\n\n" + yours)
    second.get_by_role("button", name="답변 저장").click()
    second.wait_for_url(f"**/#answer-{answer.pk}")
    answer.refresh_from_db()
    # Browsers send CRLF; the stored answer has LF line breaks only.
    assert (answer.version, answer.body) == (3, current + "\n\n" + yours)
