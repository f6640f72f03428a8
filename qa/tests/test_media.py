"""Editor images as production serves them: for everyone by the web server, or with
MEDIA_PROTECTED (BOARD_PUBLIC off) only to signed-in accounts, through Django."""

import importlib

import pytest
from django.test import Client
from django.urls import clear_url_caches

import studygroup.urls

from .people import sign_in
from .test_settings import manage

pytestmark = pytest.mark.django_db

NAME = "0123456789abcdef0123456789abcdef.png"
URL = f"/media/answers/{NAME}"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # only served back, never decoded


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "answers").mkdir(parents=True)
    (settings.MEDIA_ROOT / "answers" / NAME).write_bytes(PNG)
    for folder in (tmp_path, settings.MEDIA_ROOT):
        (folder / "secret.txt").write_text("SECRET")
    return settings.MEDIA_ROOT


@pytest.fixture
def protected(settings, media):
    """MEDIA_PROTECTED, with the project's URLs as they are then built, even in debug: the
    ones the tests imported were built for public media (static() serves all of MEDIA_ROOT)."""
    settings.MEDIA_PROTECTED = True
    settings.MEDIA_ACCEL_PREFIX = ""
    imported = studygroup.urls.urlpatterns
    settings.DEBUG = True
    importlib.reload(studygroup.urls)
    settings.DEBUG = False
    clear_url_caches()
    yield settings
    studygroup.urls.urlpatterns = imported
    clear_url_caches()


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_visitor_is_sent_to_sign_in(protected):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert PNG not in body(response)


def test_with_the_board_private_the_visitor_never_reaches_the_file(protected):
    protected.BOARD_PUBLIC = False
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_member_gets_the_image_with_its_type_and_nosniff(protected):
    response = sign_in("bee").get(URL)
    assert response.status_code == 200
    assert body(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=86400"
    assert "X-Accel-Redirect" not in response


@pytest.mark.parametrize(
    "name, content_type",
    [("a" * 32 + ".jpg", "image/jpeg"), ("b" * 32 + ".gif", "image/gif"),
     ("c" * 32 + ".webp", "image/webp")],
)  # fmt: skip
def test_each_format_has_its_own_image_type(protected, media, name, content_type):
    (media / "answers" / name).write_bytes(b"image")
    response = sign_in("bee").get(f"/media/answers/{name}")
    assert response["Content-Type"] == content_type


def test_with_an_accel_prefix_nginx_sends_the_file(protected):
    protected.MEDIA_ACCEL_PREFIX = "/protected-media/"
    response = sign_in("bee").get(URL)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/answers/{NAME}"
    assert response.content == b""
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_missing_image_is_a_404(protected):
    response = sign_in("bee").get("/media/answers/" + "f" * 32 + ".png")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/answers/../secret.txt",
        "/media/answers/..%2F..%2Fsecret.txt",
        "/media/answers/%2e%2e/%2e%2e/secret.txt",
        f"/media/answers/{NAME}/../../secret.txt",
        "/media/answers/0123456789abcdef0123456789abcdef.svg",
        "/media/answers/0123456789ABCDEF0123456789ABCDEF.png",
        "/media/secret.txt",
        "/media/../secret.txt",
    ],
)
def test_nothing_but_an_upload_name_is_served(protected, path):
    response = sign_in("bee").get(path)
    assert response.status_code == 404
    assert b"SECRET" not in body(response)


def test_public_media_are_left_to_the_web_server(settings, media):
    settings.MEDIA_PROTECTED = False
    settings.DEBUG = False
    assert Client().get(URL).status_code == 404


def test_in_debug_public_media_are_served_to_anyone(settings, media):
    settings.MEDIA_PROTECTED = False
    settings.DEBUG = True
    response = Client().get(URL)
    assert response.status_code == 200
    assert body(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "False"),
        ({"BOARD_PUBLIC": "0"}, "True"),
        ({"BOARD_PUBLIC": "0", "MEDIA_PROTECTED": "0"}, "False"),
    ],
)
def test_media_are_protected_when_the_board_is_not_public(env, expected):
    show = "from django.conf import settings; print(settings.MEDIA_PROTECTED)"
    result = manage("shell", "-c", show, DJANGO_DEBUG="1", **env)
    assert result.stdout.split()[-1] == expected, result.stderr
