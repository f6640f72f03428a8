"""Review and a mock interview in a real browser, by keyboard, with screenshots and axe-core."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from qa.models import Grade, ReviewCard

from .browsing import member_account, sign_in
from .studying import closed_round_with_answers, default_topics
from .test_browser_accessibility import axe, serious_violations  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "## 요약\n\n| 구분 | TCP | UDP |\n|---|---|---|\n| 연결 | 있음 | 없음 |\n"


@pytest.fixture
def past_rounds(live_server):
    topics = default_topics()
    _first, questions = closed_round_with_answers(
        questions=3, answers_each=2, number=1,
        texts=["TCP와 UDP의 차이는 무엇인가요?", "프로세스와 스레드의 차이는?",
               "데이터베이스 인덱스는 어떻게 동작하나요?"],
    )  # fmt: skip
    for question, slug in zip(questions, ["network", "os", "database"]):
        question.topics.set([topics[slug]])
        question.answers.update(body_html="<h2>요약</h2><p>모임의 답변입니다.</p>")
    return questions


def test_review_question_reveal_grade_next(open_page, live_server, axe, past_rounds, shoot):
    moon = member_account("moon")
    page = open_page()
    sign_in(page.context, live_server, moon)
    found = []
    page.goto(live_server.url + reverse("qa:review"))
    first = page.locator(".review-card__question").inner_text()
    assert first == past_rounds[0].search_text
    answers = page.locator(".reveal__answers")
    assert not answers.is_visible()
    # The box for one's own attempt has the focus; typing there never grades.
    page.keyboard.type("3 TCP는 연결형")
    assert page.locator("#review-attempt").input_value() == "3 TCP는 연결형"
    found += serious_violations(page, axe, "review (question)")

    page.locator("body").click(position={"x": 5, "y": 5})  # out of the text box
    page.keyboard.press(" ")  # Space reveals
    assert answers.is_visible()
    assert answers.locator(".answer").count() == 2
    # The focus moves on the disclosure's toggle event, which comes a task after the reveal.
    expect(page.locator("button[data-key='3']")).to_be_focused()
    found += serious_violations(page, axe, "review (revealed)")
    shoot(page, "review-revealed")

    page.keyboard.press("3")  # Good
    page.wait_for_selector(".message--success")
    second = page.locator(".review-card__question").inner_text()
    assert second == past_rounds[1].search_text
    card = ReviewCard.objects.get(question=past_rounds[0])
    assert card.reps == 1 and not card.is_due()

    # Without the keyboard: the disclosure and the buttons.
    page.locator(".reveal summary").click()
    page.get_by_role("button", name=re.compile("다시")).click()
    page.wait_for_selector(".message--success")
    page.locator(".reveal summary").click()
    page.get_by_role("button", name=re.compile("쉬움")).click()
    page.wait_for_selector(".empty-state")
    assert Grade.objects.count() == 3
    found += serious_violations(page, axe, "review (nothing due)")

    page.goto(live_server.url + reverse("qa:review-progress"))
    assert page.locator(".weak-topics").inner_text().startswith("운영체제")
    found += serious_violations(page, axe, "progress")
    shoot(page, "progress")
    page.goto(live_server.url + reverse("qa:bank") + "?topic=network")
    assert page.locator(".bank-item").count() == 1
    found += serious_violations(page, axe, "bank")
    shoot(page, "bank")
    assert not found, "axe-core found serious problems:\n" + "\n".join(found)


def test_a_mock_interview_of_three_questions(open_page, live_server, axe, past_rounds, shoot):
    moon = member_account("moon")
    page = open_page()
    sign_in(page.context, live_server, moon)
    found = []
    page.goto(live_server.url + reverse("qa:interview"))
    assert page.locator("input[name=size]").input_value() == "5"
    page.locator("input[name=size]").fill("3")
    found += serious_violations(page, axe, "interview (choose)")
    page.get_by_role("button", name="면접 시작").click()

    asked = []
    for number in range(1, 4):
        page.wait_for_selector("h1:has-text('질문 %d / 3')" % number)
        asked.append(page.locator(".review-card__question").inner_text())
        timer = page.locator("[data-timer]")
        assert re.fullmatch(r"\d+:\d\d", timer.inner_text())
        # The answer box has the focus: the member starts typing at once.
        assert page.evaluate("document.activeElement.name") == "answer"
        if number == 1:
            expect(timer).not_to_have_text("0:00")  # the clock runs
            found += serious_violations(page, axe, "interview (question)")
            shoot(page, "interview-question")
        page.keyboard.type(f"답변 {number}: 연결과 신뢰성")
        page.keyboard.press("Control+Enter")
        page.wait_for_selector(".interview-own")
        assert f"답변 {number}: 연결과 신뢰성" in page.locator(".interview-own").inner_text()
        assert page.locator(".reveal__answers .answer").count() == 2
        if number == 1:
            found += serious_violations(page, axe, "interview (answers)")
            shoot(page, "interview-answers")
        page.keyboard.press("4" if number < 3 else "1")

    page.wait_for_selector("h1:has-text('면접 끝')")
    assert page.locator(".interview-summary tbody tr").count() == 3
    assert sorted(asked) == sorted(q.search_text for q in past_rounds)
    found += serious_violations(page, axe, "interview (finished)")
    shoot(page, "interview-finished")
    cards = ReviewCard.objects.filter(member__name="moon")
    assert cards.count() == 3
    assert sorted(Grade.objects.values_list("rating", flat=True)) == [1, 4, 4]
    assert set(Grade.objects.values_list("source", flat=True)) == {"interview"}
    assert not found, "axe-core found serious problems:\n" + "\n".join(found)


def test_similar_questions_appear_while_typing_a_question(page, live_server, past_rounds):
    from qa.models import Round

    from .factories import RoundFactory

    round_ = RoundFactory(number=2, state=Round.State.QUESTIONS_OPEN)
    sign_in(page.context, live_server, member_account("moon"))
    page.goto(live_server.url + reverse("qa:question-add", args=[round_.number]))
    page.locator("#id_text").fill("UDP 대신 TCP를 쓰는 이유")
    similar = page.locator(".similar__list")
    similar.wait_for()
    assert "1주차 author1님의 질문과 비슷합니다" in similar.inner_text()
    # The topics the text suggests are checked, until the member chooses.
    checked = page.locator("input[name=topics]:checked")
    assert checked.count() == 1
    assert checked.evaluate("box => box.closest('label').textContent.trim()") == "네트워크"
