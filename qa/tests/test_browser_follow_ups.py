"""Follow-up questions in a real browser: a member follows up under an answer with the
folded form (no script needed), and a curator makes it next week's question."""

import pytest

from qa.models import FollowUp, Question, Round

from .browsing import member_account, page_overflow, sign_in
from .conftest import VIEWPORTS
from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_follows_up_and_a_curator_promotes_it(open_page, live_server, shoot):
    week1 = RoundFactory(number=1, title="1주차 네트워크", state=Round.State.ANSWERING)
    RoundFactory(number=2, title="2주차 운영체제", state=Round.State.QUESTIONS_OPEN)
    question = QuestionFactory(
        round=week1, author=MemberFactory(name="sky"), text="L4와 L7의 차이는?"
    )
    PickFactory(question=question, picker=MemberFactory(name="bee"))
    answer = AnswerFactory(
        question=question, author=MemberFactory(name="bee"), body="L7은 **HTTP 내용**을 본다."
    )

    member = open_page()
    sign_in(member.context, live_server, member_account("moon"))
    member.goto(live_server.url + question.get_absolute_url())
    form = member.locator(f"#answer-{answer.pk} .follow-up-form")
    form.locator("summary").click()
    form.locator("textarea").fill("그럼 L7은 **TLS**를 어디서 풀어야 하나요?")
    form.locator("button[type=submit]").click()
    member.wait_for_url(f"**/questions/{question.pk}/#follow-up-*")
    follow_up = FollowUp.objects.get()
    item = member.locator(f"#follow-up-{follow_up.pk}")
    assert item.locator(".follow-up__author").inner_text() == "moon"
    assert item.locator(".follow-up__body strong").inner_text() == "TLS"
    shoot(member, "thread")

    curator = open_page()
    sign_in(curator.context, live_server, member_account("admin", staff=True))
    curator.goto(live_server.url + week1.get_absolute_url())
    assert curator.locator(f"#answer-{answer.pk} .answer__follow-up-count").is_visible()
    curator.locator(f"#answer-{answer.pk} .answer__follow-up-count").click()
    curator.locator(f"#follow-up-{follow_up.pk} form button").click()
    curator.wait_for_url("**/questions/*/")
    promoted = Question.objects.get(round__number=2)
    assert curator.url.endswith(promoted.get_absolute_url())
    assert promoted.author.name == "moon"
    assert curator.locator(".question-detail__origin a").get_attribute("href").endswith(
        f"#answer-{answer.pk}"
    )
    shoot(curator, "promoted-question")

    member.reload()
    link = member.locator(f"#follow-up-{follow_up.pk} .follow-up__promoted a")
    assert link.get_attribute("href") == promoted.get_absolute_url()
    member.set_viewport_size(VIEWPORTS["phone"])
    assert page_overflow(member) <= 0
