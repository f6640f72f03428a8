"""👍 on an answer in a real browser: in place with the script, by the plain form without it."""

import pytest
from playwright.sync_api import expect

from qa.models import Reaction

from .browsing import member_account, sign_in
from .factories import AnswerFactory, MemberFactory, RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def answer():
    round_ = RoundFactory(number=1, title="1주차 네트워크", uses_picks=False)
    return AnswerFactory(question__round=round_, author=MemberFactory(name="bee"))


def test_a_reaction_changes_its_count_without_a_reload(page, live_server, shoot, answer):
    sign_in(page.context, live_server, member_account("sky"))
    page.goto(live_server.url + "/rounds/1/")
    # A reload would forget this.
    page.evaluate("window.sameDocument = true")
    thanks = page.locator(f"#answer-{answer.pk} button.reaction--thanks")
    expect(thanks).to_have_attribute("aria-pressed", "false")
    expect(thanks.locator("[data-reaction-count]")).to_have_text("0")

    thanks.click()
    expect(thanks).to_have_attribute("aria-pressed", "true")
    expect(thanks.locator("[data-reaction-count]")).to_have_text("1")
    assert page.evaluate("window.sameDocument") is True
    assert Reaction.objects.filter(answer=answer, member__name="sky", kind="thanks").exists()
    thanks.focus()
    shoot(page, "reacted", element=f"#answer-{answer.pk}")

    thanks.click()  # and back
    expect(thanks).to_have_attribute("aria-pressed", "false")
    expect(thanks.locator("[data-reaction-count]")).to_have_text("0")
    assert page.evaluate("window.sameDocument") is True
    assert not Reaction.objects.exists()


def test_without_javascript_the_form_comes_back_to_the_answer(open_page, live_server, answer):
    page = open_page(java_script_enabled=False)
    sign_in(page.context, live_server, member_account("sky"))
    page.goto(live_server.url + "/rounds/1/")
    page.locator(f"#answer-{answer.pk} button.reaction--insight").click()
    page.wait_for_url(f"**/rounds/1/#answer-{answer.pk}")
    insight = page.locator(f"#answer-{answer.pk} button.reaction--insight")
    expect(insight).to_have_attribute("aria-pressed", "true")
    expect(insight.locator("[data-reaction-count]")).to_have_text("1")
