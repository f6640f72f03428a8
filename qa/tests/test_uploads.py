"""Images dropped into the answer editor, with real bytes: what is stored and what is refused."""

import io
import json
import os
import struct
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from qa.forms import IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, ImageUploadForm
from qa.models import Round, Upload

from .factories import AnswerFactory, PickFactory, QuestionFactory, RoundFactory
from .people import sign_in

pytestmark = pytest.mark.django_db

URL = "/answers/upload/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def member():
    """bee, while a round takes answers: the only time members can use the editor."""
    RoundFactory(number=90, state=Round.State.ANSWERING)
    return sign_in("bee")


def image_bytes(fmt, size=(40, 30), noise=False):
    width, height = size
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(width * height * 3))
    else:
        image = Image.new("RGB", size, (200, 80, 20))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def upload(client, name, data, content_type="image/png"):
    return client.post(URL, {"image": SimpleUploadedFile(name, data, content_type)})


def stored(media):
    """Every file under MEDIA_ROOT, wherever a refused upload might have been left."""
    if not media.exists():
        return []
    return sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file())


def test_the_widget_is_pointed_at_this_view(settings, member):
    # markdownx's own views are not mounted: its widget posts wherever these settings say,
    # so a drift from the URLconf would only show as a broken editor in the browser.
    assert settings.MARKDOWNX_UPLOAD_URLS_PATH == reverse("qa:answer-upload") == URL
    assert settings.MARKDOWNX_URLS_PATH == reverse("qa:answer-preview")
    # What the browser gets: the widget reads the settings once, when markdownx is imported.
    question = QuestionFactory(round=RoundFactory(state=Round.State.ANSWERING))
    PickFactory(question=question)
    editor = member.get(reverse("qa:question-answer", args=[question.pk])).content.decode()
    assert f'data-markdownx-upload-urls-path="{reverse("qa:answer-upload")}"' in editor
    assert f'data-markdownx-urls-path="{reverse("qa:answer-preview")}"' in editor


@pytest.mark.parametrize(
    "fmt, extension", [("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"), ("WEBP", "webp")]
)
def test_each_accepted_format_is_stored_under_a_name_the_server_chooses(
    member, media, fmt, extension
):
    response = upload(member, "내 사진 <b>.bin", image_bytes(fmt), "application/octet-stream")
    assert response.status_code == 200, response.content
    [path] = stored(media)
    assert path.parent.name == "answers"
    assert path.suffix == f".{extension}"
    assert len(path.stem) == 32 and int(path.stem, 16) >= 0
    assert json.loads(response.content) == {"image_code": f"![](/media/answers/{path.name})"}
    with Image.open(media / path) as saved:
        assert saved.format == fmt


def test_the_extension_follows_the_bytes_not_the_name(member, media):
    response = upload(member, "photo.gif", image_bytes("PNG"), "image/gif")
    assert response.status_code == 200
    [path] = stored(media)
    assert path.suffix == ".png"


def big_noise_png():
    data = image_bytes("PNG", size=(1400, 1300), noise=True)
    assert len(data) > IMAGE_MAX_BYTES
    return data


def many_pixels_png():
    image = Image.new("1", (6000, 5000))  # 30 million pixels in a few kilobytes
    assert 6000 * 5000 > IMAGE_MAX_PIXELS
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def chunk(kind, data=b""):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width, height):
    """A PNG header that claims the given size; Pillow reads the size without decoding."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT") + chunk(b"IEND")


SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
  <script>alert(document.cookie)</script><rect width="10" height="10"/>
</svg>"""

REFUSED = {
    "html named .png": ("evil.png", b"<html><script>alert(1)</script></html>", "image/png", 400),
    "svg with a script": ("logo.svg", SVG, "image/svg+xml", 400),
    "svg named .png": ("logo.png", SVG, "image/png", 400),
    "truncated png": ("cut.png", image_bytes("PNG", noise=True)[:600], "image/png", 400),
    "truncated jpeg": ("cut.jpg", image_bytes("JPEG", noise=True)[:700], "image/jpeg", 400),
    "bmp": ("old.bmp", image_bytes("BMP"), "image/bmp", 400),
    "too many pixels": ("huge.png", many_pixels_png(), "image/png", 400),
    "decompression bomb": ("bomb.png", png_claiming(50_000, 50_000), "image/png", 400),
    "empty file": ("empty.png", b"", "image/png", 400),
}


@pytest.mark.parametrize("name, data, content_type, status", REFUSED.values(), ids=REFUSED.keys())
def test_refused_files_leave_nothing_behind(member, media, name, data, content_type, status):
    response = upload(member, name, data, content_type)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"]
    assert stored(media) == []


@pytest.mark.parametrize("size", [(6000, 5000), (50_000, 50_000)])
def test_too_many_pixels_is_named_as_such(size):
    form = ImageUploadForm(
        files={"image": SimpleUploadedFile("x.png", png_claiming(*size))}, user=None
    )
    assert form.errors.as_data()["image"][0].code == "too_many_pixels"


def test_an_image_over_5_mb_is_refused(member, media):
    response = upload(member, "big.png", big_noise_png())
    assert response.status_code == 413
    assert "5" in json.loads(response.content)["error"]
    assert stored(media) == []


def test_a_request_without_a_file_is_refused(member, media):
    response = member.post(URL, {})
    assert response.status_code == 400
    assert stored(media) == []


@pytest.mark.parametrize("client_factory", [Client, lambda: sign_in("lurker", member=False)])
def test_visitors_and_accounts_without_a_member_cannot_upload(media, client_factory):
    response = upload(client_factory(), "ok.png", image_bytes("PNG"))
    assert response.status_code == 403
    assert json.loads(response.content)["error"]
    assert stored(media) == []


def test_upload_needs_the_csrf_token(media):
    client = sign_in("bee", enforce_csrf_checks=True)
    response = upload(client, "ok.png", image_bytes("PNG"))
    assert response.status_code == 403
    assert stored(media) == []


def test_upload_refuses_get(member):
    assert member.get(URL).status_code == 405


def stored_image(media):
    [path] = stored(media)
    return (media / path).read_bytes()


def photo_with_exif(orientation=1):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 40.0)}  # GPS
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert b"PhoneMaker" in data
    return data


def test_a_photo_is_stored_without_its_exif(member, media):
    assert upload(member, "photo.jpg", photo_with_exif(), "image/jpeg").status_code == 200
    data = stored_image(media)
    assert b"PhoneMaker" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as saved:
        assert saved.format == "JPEG" and saved.size == (40, 30)
        assert not saved.getexif()
        assert saved.getpixel((20, 15)) == pytest.approx((10, 120, 200), abs=6)


def test_a_rotated_photo_keeps_looking_upright(member, media):
    # Orientation 6: the camera was turned, so the pixels must be turned now EXIF goes.
    response = upload(member, "photo.jpg", photo_with_exif(orientation=6), "image/jpeg")
    assert response.status_code == 200
    with Image.open(io.BytesIO(stored_image(media))) as saved:
        assert saved.size == (30, 40)


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "JPEG", "WEBP"])
def test_bytes_after_the_image_are_dropped(member, media, fmt):
    script = b"\n<script>alert(document.cookie)</script>//"
    data = image_bytes(fmt) + script
    assert upload(member, "x.html", data, "text/html").status_code == 200
    stored_data = stored_image(media)
    assert b"<script>" not in stored_data
    with Image.open(io.BytesIO(stored_data)) as saved:
        assert saved.format == fmt and saved.size == (40, 30)


def test_text_chunks_are_dropped_and_transparency_kept(member, media):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<svg onload=alert(1)>")
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(buffer, "PNG", pnginfo=info)
    assert upload(member, "x.png", buffer.getvalue()).status_code == 200
    data = stored_image(media)
    assert b"onload" not in data
    with Image.open(io.BytesIO(data)) as saved:
        assert saved.mode == "RGBA" and saved.getpixel((0, 0))[3] == 0


def test_an_animated_gif_keeps_its_frames(member, media):
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0)
    assert upload(member, "a.gif", buffer.getvalue(), "image/gif").status_code == 200
    with Image.open(io.BytesIO(stored_image(media))) as saved:
        assert saved.n_frames == 3
        assert saved.info["duration"] == 120


def age(media, response, hours):
    """The uploaded file and its row, made `hours` old."""
    name = json.loads(response.content)["image_code"].split("/")[-1].rstrip(")")
    path = media / "answers" / name
    when = timezone.now() - timedelta(hours=hours)
    Upload.objects.filter(file=f"answers/{name}").update(created=when)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return name


def remove_unused(*args):
    out = io.StringIO()
    call_command("remove_unused_uploads", *args, stdout=out)
    return out.getvalue()


def test_unused_uploads_are_removed_once_past_the_grace_period(member, media):
    question = QuestionFactory(round=RoundFactory(number=1))
    PickFactory(question=question)
    names = {}
    for key in ["answer", "old version", "question", "unused"]:
        names[key] = age(media, upload(member, "x.png", image_bytes("PNG")), hours=48)
    names["recent"] = age(media, upload(member, "x.png", image_bytes("PNG")), hours=1)
    answer = AnswerFactory(question=question, body=f"![](/media/answers/{names['old version']})")
    answer.body = f"지금 그림 ![](/media/answers/{names['answer']})"
    answer.save()  # the first text stays in the history, which can bring it back
    question.text = f"이 그림은? ![](/media/answers/{names['question']})"
    question.save()
    # A file from before uploads were recorded, and one this feature never named.
    legacy = media / "answers" / f"{'a' * 32}.png"
    legacy.write_bytes(image_bytes("PNG"))
    os.utime(legacy, (0, 0))
    (media / "answers" / "notes.txt").write_text("not ours")
    os.utime(media / "answers" / "notes.txt", (0, 0))

    listed = remove_unused("--dry-run")
    assert f"answers/{names['unused']}" in listed and legacy.name in listed
    assert "2 unused uploads, would free" in listed
    assert Upload.objects.count() == 5 and legacy.exists()

    remove_unused()
    left = {path.name for path in (media / "answers").iterdir()}
    assert left == {names[k] for k in ["answer", "old version", "question", "recent"]} | {
        "notes.txt"
    }
    assert set(Upload.objects.values_list("file", flat=True)) == {
        f"answers/{names[k]}" for k in ["answer", "old version", "question", "recent"]
    }
    assert "0 unused uploads" in remove_unused()


def test_the_quota_refuses_an_upload_that_would_pass_it(member, media, settings):
    settings.UPLOAD_QUOTA_MB = 1
    data = image_bytes("PNG", size=(500, 400), noise=True)  # about 600 KB
    assert upload(member, "a.png", data).status_code == 200
    response = upload(member, "b.png", data)
    assert response.status_code == 413
    assert "1 MB" in json.loads(response.content)["error"]
    assert len(stored(media)) == 1
    # The quota is each account's own.
    assert upload(sign_in("sky"), "c.png", data).status_code == 200


@pytest.mark.parametrize("state", ["draft", "open", "closed"])
def test_members_upload_only_while_a_round_takes_answers(media, state):
    RoundFactory(number=1, state=state)
    response = upload(sign_in("bee"), "x.png", image_bytes("PNG"))
    assert response.status_code == 403
    assert stored(media) == []
    # Curators prepare rounds at any time.
    assert upload(sign_in("curator", staff=True), "x.png", image_bytes("PNG")).status_code == 200
