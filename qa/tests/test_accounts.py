"""Django's sign-in, sign-out, password change and reset; a private board; logins in the admin."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from qa.models import Member, Round

from .factories import MemberFactory, RoundFactory, UserFactory
from .test_settings import manage

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bee(fast_hashing):
    user = UserFactory(username="bee", email="bee@example.com", password=PASSWORD)
    MemberFactory(name="비", user=user)
    return user


def test_sign_in_page_and_header_for_visitors(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "registration/login.html" in [t.name for t in response.templates]
    home = client.get("/").content.decode()
    assert 'href="/accounts/login/?next=/"' in home


def test_sign_in_shows_who_is_signed_in_and_signs_out_by_post(client, bee):
    response = client.post("/accounts/login/", {"username": "bee", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("qa:home")
    home = client.get("/").content.decode()
    assert "비" in home
    assert 'action="/accounts/logout/"' in home
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "registration/logged_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session


def test_sign_in_returns_to_the_page_it_came_from(client, bee):
    RoundFactory(number=3)
    response = client.post(
        "/accounts/login/?next=/rounds/3/",
        {"username": "bee", "password": PASSWORD, "next": "/rounds/3/"},
    )
    assert response["Location"] == "/rounds/3/"


def test_wrong_password_is_refused(client, bee):
    response = client.post("/accounts/login/", {"username": "bee", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_password_change(client, bee):
    client.force_login(bee)
    assert client.get("/accounts/password_change/").status_code == 200
    new = "새 비밀번호 2024!"
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    assert client.get(response["Location"]).status_code == 200
    assert Client().login(username="bee", password="새 비밀번호 2024!")


def test_password_change_asks_visitors_to_sign_in(client):
    response = client.get("/accounts/password_change/")
    assert response["Location"].startswith("/accounts/login/")


def test_password_reset_by_email(client, bee):
    assert client.get("/accounts/password_reset/").status_code == 200
    response = client.post("/accounts/password_reset/", {"email": "bee@example.com"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert client.get(response["Location"]).status_code == 200
    [message] = mail.outbox
    assert message.to == ["bee@example.com"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "다시 정한 암호 99!", "new_password2": "다시 정한 암호 99!"},
    )
    assert response["Location"] == "/accounts/reset/done/"
    assert client.get(response["Location"]).status_code == 200
    assert Client().login(username="bee", password="다시 정한 암호 99!")
    assert client.get(link).context["validlink"] is False  # used once


def test_password_reset_for_an_unknown_address_sends_nothing(client):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.fixture
def private(settings):
    settings.BOARD_PUBLIC = False
    RoundFactory(number=1, state=Round.State.ANSWERING)


@pytest.mark.parametrize("url", ["/", "/rounds/", "/rounds/1/", "/questions/1/"])
def test_a_private_board_asks_visitors_to_sign_in(client, private, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/done/",
        "/healthz",
    ],
)
def test_a_private_board_still_lets_visitors_sign_in(client, private, url):
    assert client.get(url).status_code == 200


def test_a_private_board_leaves_the_admin_its_own_sign_in(client, private):
    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/login/").status_code == 200


def test_a_private_board_is_open_to_members(client, private, bee):
    client.force_login(bee)
    assert client.get("/").status_code == 200
    assert client.get("/rounds/1/").status_code == 200


def test_a_private_board_answers_the_editor_with_403_not_a_redirect(client, private):
    assert client.post("/answers/preview/", {"content": "x"}).status_code == 403


def test_the_board_is_public_by_default(client):
    RoundFactory(number=1)
    assert client.get("/rounds/1/").status_code == 200


def test_curator_creates_a_login_and_its_member_at_once(staff_client):
    response = staff_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "sky",
            "usable_password": "true",
            "password1": "하늘 비밀번호 77!",
            "password2": "하늘 비밀번호 77!",
            "member-TOTAL_FORMS": "1",
            "member-INITIAL_FORMS": "0",
            "member-MIN_NUM_FORMS": "0",
            "member-MAX_NUM_FORMS": "1",
            "member-0-name": "하늘",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert Member.objects.get(name="하늘").user == get_user_model().objects.get(username="sky")


def test_curator_links_an_existing_login_to_a_member(staff_client):
    user = UserFactory(username="choi", password=None)
    member = MemberFactory(name="최")
    response = staff_client.post(
        reverse("admin:qa_member_change", args=[member.pk]), {"name": "최", "user": user.pk}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.user == user


def setting(expression, **env):
    """A setting as a fresh interpreter reads it from the environment."""
    code = f"from django.conf import settings as s; print({expression})"
    result = manage("shell", "--no-imports", "-c", code, DJANGO_DEBUG="1", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_mail_goes_to_the_console_unless_an_smtp_host_is_set():
    shown = "s.EMAIL_BACKEND, s.EMAIL_PORT, s.EMAIL_USE_TLS"
    assert setting(shown) == ["django.core.mail.backends.console.EmailBackend", "587", "True"]
    smtp = setting(shown, EMAIL_HOST="smtp.example.com", EMAIL_PORT="465", EMAIL_USE_TLS="0")
    assert smtp == ["django.core.mail.backends.smtp.EmailBackend", "465", "False"]


def test_board_public_comes_from_the_environment():
    assert setting("s.BOARD_PUBLIC") == ["True"]
    assert setting("s.BOARD_PUBLIC", BOARD_PUBLIC="off") == ["False"]
