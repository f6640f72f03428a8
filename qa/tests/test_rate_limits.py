"""Each costly or guessable action is refused past its rate, per account and per address,
with a 429 that says when to come back."""

import io
from types import SimpleNamespace
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from qa.limits import client_address
from qa.models import Round

from .factories import RoundFactory, UserFactory
from .people import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Each sign-in attempt hashes a password; the test needs dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def from_address(address):
    return Client(REMOTE_ADDR=address)


def assert_limited(response):
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    if response["Content-Type"].startswith("application/json"):
        assert "잠시" in json.loads(response.content)["error"]
    else:
        assert "잠시" in response.content.decode()


def test_search_is_limited_per_address_and_per_account():
    visitor = from_address("10.0.0.1")
    for _ in range(30):
        assert visitor.get("/search/", {"q": "캐시"}).status_code == 200
    assert_limited(visitor.get("/search/", {"q": "캐시"}))
    assert from_address("10.0.0.2").get("/search/", {"q": "캐시"}).status_code == 200
    # A member is counted by account, not by the address they share with the visitor.
    member = sign_in("bee", REMOTE_ADDR="10.0.0.1")
    assert member.get("/search/", {"q": "캐시"}).status_code == 200


def sign_in_attempt(client, login, password="wrong"):
    return client.post("/accounts/login/", {"login": login, "password": password})


def refused_as_too_many(response):
    """allauth refuses a sign-in past the failed-attempt limits on the form, with a 200."""
    errors = response.context["form"].errors.as_data() if response.context else {}
    return any(error.code == "too_many_login_attempts" for error in errors.get("__all__", []))


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """django-ratelimit counts in windows that start on the clock's minute (or hour): a test's
    120 requests, slower on a loaded machine, could straddle two and never reach the limit."""
    monkeypatch.setattr("django_ratelimit.core.time", SimpleNamespace(time=lambda: 1_800_000_030))


@pytest.fixture
def clock(monkeypatch):
    """allauth's rate limits read time.time(); this one only moves when told to."""
    now = [1_800_000_000.0]
    monkeypatch.setattr("allauth.core.internal.ratelimit.time.time", lambda: now[0])

    def advance(seconds):
        now[0] += seconds

    return advance


def test_guessing_one_accounts_password_is_limited_from_any_address(clock):
    UserFactory(username="bee", password="right-horse-battery")
    for number in range(5):
        response = sign_in_attempt(from_address(f"10.0.1.{number}"), "bee")
        assert response.status_code == 200 and not refused_as_too_many(response)
    assert refused_as_too_many(sign_in_attempt(from_address("10.0.1.99"), "bee"))
    # Even the right password waits: the limit cannot tell the owner from the guesser.
    right = sign_in_attempt(from_address("10.0.1.98"), "bee", "right-horse-battery")
    assert right.status_code == 200 and refused_as_too_many(right)
    assert "_auth_user_id" not in right.client.session
    # Another account is not held up by bee's.
    assert not refused_as_too_many(sign_in_attempt(from_address("10.0.1.99"), "sky"))
    clock(14 * 60)
    assert refused_as_too_many(sign_in_attempt(from_address("10.0.1.97"), "bee", "right-horse-battery"))
    clock(61)  # the window (15 minutes) has passed
    right = sign_in_attempt(from_address("10.0.1.97"), "bee", "right-horse-battery")
    assert right.status_code == 302


def test_one_address_failing_on_many_accounts_is_limited(clock):
    client = from_address("10.0.2.1")
    for number in range(10):
        assert not refused_as_too_many(sign_in_attempt(client, f"user{number}"))
    assert refused_as_too_many(sign_in_attempt(client, "user-new"))
    assert not refused_as_too_many(sign_in_attempt(from_address("10.0.2.2"), "user-new"))
    assert client.get("/accounts/login/").status_code == 200  # showing the form is free
    clock(15 * 60 + 1)
    assert not refused_as_too_many(sign_in_attempt(client, "user-new"))


def test_one_address_signing_in_over_and_over_gets_the_429_page():
    UserFactory(username="bee", password="right-horse-battery")
    client = from_address("10.0.2.3")
    for _ in range(30):
        assert sign_in_attempt(client, "bee", "right-horse-battery").status_code == 302
    assert_limited(sign_in_attempt(client, "bee", "right-horse-battery"))


def test_password_reset_mail_is_limited_per_address_and_per_email(mailoutbox):
    UserFactory(username="bee", email="bee@example.com")
    for number in range(3):
        response = from_address(f"10.0.3.{number}").post(
            "/accounts/password/reset/", {"email": "bee@example.com"}
        )
        assert response.status_code == 302
    assert_limited(
        from_address("10.0.3.9").post("/accounts/password/reset/", {"email": "bee@example.com"})
    )
    assert len(mailoutbox) == 3
    client = from_address("10.0.3.10")
    for number in range(10):
        client.post("/accounts/password/reset/", {"email": f"x{number}@example.com"})
    assert_limited(client.post("/accounts/password/reset/", {"email": "y@example.com"}))


def test_sign_ups_are_limited_per_address(settings):
    settings.SIGNUP_OPEN = True
    client = from_address("10.0.4.1")
    for number in range(10):
        response = client.post("/accounts/signup/", {"username": f"x{number}"})  # invalid form
        assert response.status_code == 200
    assert_limited(client.post("/accounts/signup/", {"username": "y"}))


def test_the_editor_gets_its_limits_as_json():
    RoundFactory(number=1, state=Round.State.ANSWERING)
    member = sign_in("bee")
    for _ in range(120):
        assert member.post("/answers/preview/", {"content": "**굵게**"}).status_code == 200
    assert_limited(member.post("/answers/preview/", {"content": "**굵게**"}))
    # Another member's preview is not counted with bee's.
    assert sign_in("sky").post("/answers/preview/", {"content": "x"}).status_code == 200


def test_uploads_are_limited_per_hour(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    RoundFactory(number=1, state=Round.State.ANSWERING)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    member = sign_in("bee")

    def upload():
        image = SimpleUploadedFile("x.png", buffer.getvalue(), "image/png")
        return member.post("/answers/upload/", {"image": image})

    for _ in range(60):
        assert upload().status_code == 200
    assert_limited(upload())


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert client_address(request) == "203.0.113.7"  # the client wrote 6.6.6.6 itself
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
