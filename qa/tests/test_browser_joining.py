"""Joining in a real browser: a curator invites the imported member `bee` from the members
page, bee opens the link in a browser of their own, signs up and lands on the board as bee,
with bee's answers theirs to edit."""

import pytest

from qa.models import Answer, Member

from .browsing import ANSWER_WITH_TABLE_AND_CODE, load_demo_week, member_account, sign_in
from .factories import AnswerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_curator_invites_bee_who_signs_up_and_can_edit_their_answers(
    page, open_page, live_server, shoot, settings
):
    # Signing up hashes the password; the fastest hasher keeps that cheap.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_week()
    bee = Member.objects.get(name="bee")
    assert bee.user is None  # imported with the week, no account yet
    # An answer of bee's imported with an earlier week's file, on a question of this board.
    picked = Answer.objects.get(question__author__name="choi").question
    answer = AnswerFactory(question=picked, author=bee, body=ANSWER_WITH_TABLE_AND_CODE)
    sign_in(page.context, live_server, member_account("curator", staff=True))

    page.goto(live_server.url + "/members/")
    page.locator(f"#member-{bee.pk}").get_by_role("button", name="bee 초대").click()
    page.wait_for_url("**/invitations/*/")
    link = page.locator("#invitation-link").input_value()
    assert link.startswith(live_server.url + "/join/")
    shoot(page, "invitation")

    newcomer = open_page()  # bee's own browser: no cookie of the curator's
    newcomer.goto(link)
    newcomer.wait_for_url("**/accounts/signup/")
    assert "bee" in newcomer.locator(".message").inner_text()
    newcomer.locator("#id_username").fill("bee")
    newcomer.locator("#id_email").fill("bee@example.com")
    newcomer.locator("#id_password1").fill("bee-joins-the-board-7")
    newcomer.locator("#id_password2").fill("bee-joins-the-board-7")
    shoot(newcomer, "sign-up")
    newcomer.get_by_role("button", name="계정 만들기").click()

    newcomer.wait_for_url(live_server.url + "/")
    assert "bee" in newcomer.locator(".account__name").inner_text()
    edit = newcomer.locator(f"#answer-{answer.pk}").get_by_role("link", name="수정", exact=True)
    assert edit.get_attribute("href") == f"/answers/{answer.pk}/edit/"
    # sky's answers stay sky's.
    for other in Answer.objects.filter(author__name="sky"):
        assert newcomer.locator(f"#answer-{other.pk}").get_by_role("link", name="수정", exact=True).count() == 0
    edit.scroll_into_view_if_needed()
    shoot(newcomer, "board")
    edit.click()
    newcomer.wait_for_url(f"**/answers/{answer.pk}/edit/")
    assert newcomer.locator(".markdownx textarea").input_value() == answer.body
