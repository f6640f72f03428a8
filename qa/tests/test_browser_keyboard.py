"""Journey 5 in a real browser, keyboard only: a member reaches and operates 👀, the answer
editor and its save button, and always sees where the focus is."""

import pytest

from qa.models import Answer, Question

from .browsing import load_demo_week, member_account, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIBE_FOCUS = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {
    what: e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " "
      + (e.innerText || e.value || "").trim().slice(0, 30),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""


def tab_to(page, selector, most=80):
    """Press Tab until the focus is on `selector`, as a keyboard user would; never click."""
    path = []
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            focus = page.evaluate(DESCRIBE_FOCUS)
            assert focus["outline"], f"no visible focus on {focus['what']}"
            return
        path.append(page.evaluate(DESCRIBE_FOCUS)["what"])
    raise AssertionError(f"{selector} not reached in {most} Tab presses: " + " → ".join(path))


def test_keyboard_only_member_picks_writes_and_saves(page, live_server, shoot):
    load_demo_week()
    sign_in(page.context, live_server, member_account("bee"))
    question = Question.objects.get(author__name="sky", label="Q2.")

    page.goto(live_server.url + "/")
    tab_to(page, "a.skip-link")  # the first stop, shown when focused
    assert page.locator("a.skip-link").is_visible()
    page.keyboard.press("Enter")

    tab_to(page, f"#question-{question.pk} button[aria-pressed]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(f"#question-{question.pk} button[aria-pressed]").get_attribute(
        "aria-pressed"
    ) == "true"

    # The page comes back at the question, so the next stops are its links, then the answers.
    tab_to(page, f"#picked-{question.pk} a[href$='/questions/{question.pk}/answer/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    tab_to(page, ".markdownx textarea")
    page.keyboard.type("## 키보드로 쓴 답변\n\n| 구분 | L4 | L7 |\n|---|---|---|\n| 계층 | 전송 | 응용 |\n\n")
    page.keyboard.type("```python\ndef pick_server():\n")
    page.keyboard.press("Tab")  # indents the code, and the focus stays in the text box
    page.keyboard.type("return servers[0]\n```\n")
    editor = page.locator(".markdownx textarea")
    assert "\n\treturn servers[0]\n" in editor.input_value()
    page.locator(".markdownx-preview table").wait_for()

    page.keyboard.press("Escape")  # then Tab leaves the text box, as the help text says
    tab_to(page, ".answer-form button[type=submit]", most=3)
    shoot(page, "editor")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    answer = Answer.objects.get(author__name="bee", question=question)
    assert "\treturn servers[0]" in answer.body
    assert page.locator(f"#answer-{answer.pk} table").is_visible()
    shoot(page, "saved")
