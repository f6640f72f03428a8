"""Images in the answer editor, in a real browser: a button that opens the file picker (phones
cannot drag and drop) and a paste from the clipboard each upload through the answer upload view,
with the form's CSRF token, and put the image's Markdown where the cursor is."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from qa.models import Answer, Question

from .browsing import load_demo_week, member_account, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UPLOADED = "![](/media/answers/"

# A paste as the browser delivers one: a ClipboardEvent whose DataTransfer holds a file.
PASTE = """([bytes, name, type]) => {
  const box = document.querySelector(".markdownx textarea");
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(bytes)], name, {type}));
  const paste = {clipboardData: data, bubbles: true, cancelable: true};
  box.dispatchEvent(new ClipboardEvent("paste", paste));
}"""


def png(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored(media):
    return sorted(media.rglob("*.png")) if media.exists() else []


@pytest.fixture
def editor_url(live_server):
    """The editor for a picked question of choi's, which bee has not answered."""
    load_demo_week()
    question = Question.objects.get(author__name="choi", picks__isnull=False)
    return live_server.url + reverse("qa:question-answer", args=[question.pk])


def test_images_are_added_with_the_button_and_by_pasting(
    open_page, live_server, media, editor_url, shoot
):
    page = open_page("phone")
    sign_in(page.context, live_server, member_account("bee"))
    page.goto(editor_url)
    box = page.locator(".markdownx textarea")
    box.fill("## 구성\n\n")

    button = page.get_by_role("button", name="이미지 추가")
    with page.expect_file_chooser() as chooser:
        button.click()
    picked = {"name": "구성도.png", "mimeType": "image/png", "buffer": png((20, 120, 200))}
    with page.expect_response("**/answers/upload/") as answered:
        chooser.value.set_files(files=[picked])
    # The live server checks CSRF as in production: the script sent the form's token.
    assert answered.value.status == 200
    page.wait_for_function(
        f"() => document.querySelector('.markdownx textarea').value.includes('{UPLOADED}')"
    )
    first = box.input_value()
    assert first.startswith("## 구성\n\n" + UPLOADED) and first.endswith(".png)")
    assert len(stored(media)) == 1
    preview_image = page.locator(".markdownx-preview img")
    preview_image.wait_for()
    assert preview_image.get_attribute("src").startswith("/media/answers/")

    # A paste puts the image at the cursor, here between two lines written after the first
    # image, and uploads it once: the widget's own paste handling does not upload it again.
    box.press("End")
    box.press_sequentially("\n\n## 흐름\n\n요청이 L4를 지나 서버로 갑니다.")
    box.evaluate("box => { const at = box.value.indexOf('요청이'); box.setSelectionRange(at, at); }")
    page.evaluate(PASTE, [list(png((200, 80, 20))), "image.png", "image/png"])
    page.wait_for_function(
        "() => document.querySelector('.markdownx textarea').value.split('/media/').length == 3"
    )
    text = box.input_value()
    assert text.startswith(first + "\n\n## 흐름\n\n" + UPLOADED)
    assert text.endswith(".png)요청이 L4를 지나 서버로 갑니다.")
    assert len(stored(media)) == 2
    page.locator(".markdownx-preview img").nth(1).wait_for()
    shoot(page, "editor")

    # What the server refuses leaves the text as it was and says why.
    page.evaluate(PASTE, [list(b"not an image"), "notes.png", "image/png"])
    status = page.locator("[data-editor-status]")
    page.wait_for_function(
        "() => document.querySelector('[data-editor-status]').dataset.state === 'error'"
    )
    assert "PNG, JPEG, GIF, WebP 이미지를 올려 주세요" in status.inner_text()
    assert box.input_value() == text
    assert len(stored(media)) == 2

    # The same post from the same signed-in browser without the token is refused.
    unguarded = page.request.post(
        live_server.url + reverse("qa:answer-upload"), multipart={"image": picked}
    )
    assert unguarded.status == 403
    assert "CSRF" in unguarded.text()
    assert len(stored(media)) == 2


def test_saving_waits_for_an_image_still_uploading(open_page, live_server, media, editor_url):
    page = open_page()
    sign_in(page.context, live_server, member_account("bee"))
    page.goto(editor_url)
    held = []

    def hold(route):  # the upload hangs until released below
        held.append(route)

    page.route("**/answers/upload/", hold)
    box = page.locator(".markdownx textarea")
    box.fill("그림: ")
    page.evaluate(PASTE, [list(png((20, 120, 200))), "image.png", "image/png"])
    page.wait_for_function("() => document.querySelector('[data-editor-status]').dataset.state")
    assert held

    page.get_by_role("button", name="답변 저장").click()
    status = page.locator("[data-editor-status]")
    assert "아직 올리는 중" in status.inner_text()
    assert page.url == editor_url
    assert not Answer.objects.filter(author__name="bee").exists()

    held[0].continue_()
    page.wait_for_function(
        f"() => document.querySelector('.markdownx textarea').value.includes('{UPLOADED}')"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="답변 저장").click()
    body = Answer.objects.get(author__name="bee").body
    assert body.startswith("그림: " + UPLOADED) and "…" not in body


def test_without_javascript_the_editor_offers_no_image_button(open_page, live_server, editor_url):
    page = open_page("phone", java_script_enabled=False)
    sign_in(page.context, live_server, member_account("bee"))
    page.goto(editor_url)
    assert page.locator(".markdownx textarea").is_visible()
    assert page.locator("[data-image-button]").count() == 1
    assert not page.locator("[data-image-button]").is_visible()
