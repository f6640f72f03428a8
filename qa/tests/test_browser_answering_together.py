"""Answering together in a real browser, issue 18's journey: a member finds the others'
answers hidden, posts theirs, reads the others, reacts, follows up, and a curator makes the
follow-up a question of next week's round."""

import pytest
from playwright.sync_api import expect

from qa.models import Answer, FollowUp, Question, Reaction, Round

from .browsing import ANSWER_WITH_TABLE_AND_CODE, member_account, sign_in, write_in_editor
from .factories import AnswerFactory, MemberFactory, PickFactory, QuestionFactory, RoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BEES_ANSWER = "L4는 **IP와 포트**만 보고, L7은 HTTP 요청의 내용을 보고 서버를 고릅니다."


@pytest.fixture
def week():
    """Week 1 takes answers with blind answering on; bee has answered sky's question, which
    moon picked. Week 2 takes questions."""
    week1 = RoundFactory(
        number=1, title="1주차 네트워크", state=Round.State.ANSWERING, blind_answers=True
    )
    RoundFactory(number=2, title="2주차 운영체제", state=Round.State.QUESTIONS_OPEN)
    question = QuestionFactory(
        round=week1, author=MemberFactory(name="sky"), text="L4와 L7 로드 밸런서의 차이는?"
    )
    PickFactory(question=question, picker=MemberFactory(name="moon"))
    bees = AnswerFactory(question=question, author=MemberFactory(name="bee"), body=BEES_ANSWER)
    return {"round": week1, "question": question, "bees_answer": bees}


def test_hidden_answers_then_reactions_and_a_follow_up_made_next_weeks_question(
    open_page, live_server, shoot, week
):
    question, bees = week["question"], week["bees_answer"]
    moon = open_page()
    sign_in(moon.context, live_server, member_account("moon"))

    # The board: bee has answered (the matrix says so), but moon reads no answer yet.
    moon.goto(live_server.url + week["round"].get_absolute_url())
    expect(moon.locator("#blind-answering")).to_be_visible()
    hidden = moon.locator(f"#hidden-answers-{question.pk}")
    expect(hidden).to_contain_text("1")
    assert moon.locator(".matrix__cell--hidden").count() == 1
    assert moon.locator(f"#answer-{bees.pk}").count() == 0
    assert "IP와 포트" not in moon.content()
    shoot(moon, "answers-hidden")

    # Posting an answer is the way to see the others'.
    hidden.get_by_role("link").click()
    moon.wait_for_url(f"**/questions/{question.pk}/answer/")
    write_in_editor(moon, ANSWER_WITH_TABLE_AND_CODE)
    moon.get_by_role("button", name="답변 저장").click()
    moon.wait_for_url(f"**/questions/{question.pk}/#answer-*")
    assert Answer.objects.filter(question=question, author__name="moon").exists()
    bees_article = moon.locator(f"#answer-{bees.pk}")
    expect(bees_article.locator(".markdown-body strong")).to_have_text("IP와 포트")
    expect(moon.locator(f"#hidden-answers-{question.pk}")).to_have_count(0)

    # 👍 on bee's answer, in place.
    moon.evaluate("window.sameDocument = true")
    thanks = bees_article.locator("button.reaction--thanks")
    thanks.click()
    expect(thanks).to_have_attribute("aria-pressed", "true")
    expect(thanks.locator("[data-reaction-count]")).to_have_text("1")
    assert moon.evaluate("window.sameDocument") is True
    assert Reaction.objects.filter(answer=bees, member__name="moon", kind="thanks").exists()

    # A follow-up under bee's answer.
    form = bees_article.locator(".follow-up-form")
    form.locator("summary").click()
    form.locator("textarea").fill("그럼 **TLS**는 어느 로드 밸런서에서 풀어야 하나요?")
    form.locator("button[type=submit]").click()
    moon.wait_for_url(f"**/questions/{question.pk}/#follow-up-*")
    follow_up = FollowUp.objects.get()
    item = moon.locator(f"#follow-up-{follow_up.pk}")
    expect(item.locator(".follow-up__body strong")).to_have_text("TLS")
    item.scroll_into_view_if_needed()
    shoot(moon, "answers-revealed-reacted-followed-up")

    # A curator reads the follow-up from the board's count and makes it week 2's question.
    curator = open_page()
    sign_in(curator.context, live_server, member_account("admin", staff=True))
    curator.goto(live_server.url + week["round"].get_absolute_url())
    curator.locator(f"#answer-{bees.pk} .answer__follow-up-count").click()
    curator.locator(f"#follow-up-{follow_up.pk} form button").click()
    curator.wait_for_url("**/questions/*/")
    promoted = Question.objects.get(round__number=2)
    assert promoted.author.name == "moon"
    assert curator.url.endswith(promoted.get_absolute_url())
    origin = curator.locator(".question-detail__origin a")
    assert origin.get_attribute("href").endswith(f"#answer-{bees.pk}")
    shoot(curator, "follow-up-promoted")

    # Both ways: the follow-up links to the new question, which is on week 2's board.
    moon.reload()
    moved = moon.locator(f"#follow-up-{follow_up.pk} .follow-up__promoted a")
    assert moved.get_attribute("href") == promoted.get_absolute_url()
    moved.click()
    moon.wait_for_url(f"**{promoted.get_absolute_url()}")
    moon.goto(live_server.url + "/rounds/2/")
    expect(moon.locator(f"#question-{promoted.pk} .question__text strong")).to_have_text("TLS")
