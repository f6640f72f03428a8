"""Sign-in, sign-out, password change and reset through allauth; the addresses of Django's own
account pages still lead there; a private board; logins in the admin."""

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
    assert "account/login.html" in [t.name for t in response.templates]
    assert 'name="login"' in response.content.decode()
    home = client.get("/").content.decode()
    assert 'href="/accounts/login/?next=/"' in home


def test_sign_in_shows_who_is_signed_in_and_signs_out_by_post(client, bee):
    response = client.post("/accounts/login/", {"login": "bee", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("qa:home")
    home = client.get("/").content.decode()
    assert "비" in home
    assert 'action="/accounts/logout/"' in home
    # A link cannot sign anyone out: GET asks, POST (with its CSRF token) does it.
    assert client.get("/accounts/logout/").status_code == 200
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response["Location"] == reverse("qa:home")
    assert "_auth_user_id" not in client.session


def test_sign_in_by_email_address(client, bee):
    response = client.post("/accounts/login/", {"login": "bee@example.com", "password": PASSWORD})
    assert response["Location"] == reverse("qa:home")


def test_sign_in_returns_to_the_page_it_came_from(client, bee):
    RoundFactory(number=3)
    response = client.post(
        "/accounts/login/?next=/rounds/3/",
        {"login": "bee", "password": PASSWORD, "next": "/rounds/3/"},
    )
    assert response["Location"] == "/rounds/3/"


def test_wrong_password_is_refused(client, bee):
    response = client.post("/accounts/login/", {"login": "bee", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_password_change(client, bee):
    client.force_login(bee)
    assert client.get("/accounts/password/change/").status_code == 200
    new = "새 비밀번호 2024!"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    assert Client().login(username="bee", password="새 비밀번호 2024!")


def test_password_change_asks_visitors_to_sign_in(client):
    response = client.get("/accounts/password/change/")
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "old, new",
    [
        ("/accounts/password_change/", "/accounts/password/change/"),
        ("/accounts/password_change/done/", "/accounts/password/change/"),
        ("/accounts/password_reset/", "/accounts/password/reset/"),
        ("/accounts/password_reset/done/", "/accounts/password/reset/done/"),
        ("/accounts/reset/done/", "/accounts/password/reset/key/done/"),
        # A link mailed by Django's reset cannot be checked by allauth: ask for a new one.
        ("/accounts/reset/Mg/cfx3a1-0123456789abcdef0123456789abcdef/", "/accounts/password/reset/"),
    ],
)
def test_django_account_addresses_lead_to_allauths(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def reset_link(message):
    return re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body).group(1)


def test_password_reset_by_email(client, bee):
    assert client.get("/accounts/password/reset/").status_code == 200
    response = client.post("/accounts/password/reset/", {"email": "bee@example.com"})
    assert response["Location"] == "/accounts/password/reset/done/"
    assert client.get(response["Location"]).status_code == 200
    [message] = mail.outbox
    assert message.to == ["bee@example.com"]
    link = reset_link(message)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "form" in form_page.context and form_page.context["form"] is not None
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "다시 정한 암호 99!", "password2": "다시 정한 암호 99!"},
    )
    assert response["Location"] == "/accounts/password/reset/key/done/"
    assert client.get(response["Location"]).status_code == 200
    assert Client().login(username="bee", password="다시 정한 암호 99!")
    used = Client().get(link, follow=True)
    assert used.context["token_fail"]  # used once


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(bee):
    known = Client().post("/accounts/password/reset/", {"email": "bee@example.com"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert unknown.content == known.content
    known_done = Client().get(known["Location"])
    unknown_done = Client().get(unknown["Location"])
    assert unknown_done.content == known_done.content
    assert [message.to for message in mail.outbox] == [["bee@example.com"]]


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
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/done/",
        "/accounts/signup/",
        "/healthz",
    ],
)
def test_a_private_board_still_lets_visitors_sign_in(client, private, url):
    assert client.get(url).status_code == 200


def test_the_admin_signs_in_through_the_rate_limited_sign_in(client, private, bee):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    assert response.status_code == 200
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": "bee", "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    # A member who is no curator gets the sign-in form again, not a loop.
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert "account/login.html" in [t.name for t in response.templates]


def test_a_private_board_is_open_to_members(client, private, bee):
    client.force_login(bee)
    assert client.get("/").status_code == 200
    assert client.get("/rounds/1/").status_code == 200


def test_a_private_board_answers_the_editor_with_403_not_a_redirect(client, private):
    assert client.post("/answers/preview/", {"content": "x"}).status_code == 403


def test_the_board_is_public_by_default(client):
    RoundFactory(number=1)
    assert client.get("/rounds/1/").status_code == 200


def add_login(staff_client, **fields):
    data = {
        "username": "sky",
        "email": "sky@example.com",
        "member": "",
        "new_member": "",
        "usable_password": "true",
        "password1": "하늘 비밀번호 77!",
        "password2": "하늘 비밀번호 77!",
    }
    return staff_client.post(reverse("admin:auth_user_add"), data | fields)


def test_curator_creates_a_login_and_a_new_member_at_once(staff_client):
    response = add_login(staff_client, new_member="하늘")
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    user = get_user_model().objects.get(username="sky")
    assert Member.objects.get(name="하늘").user == user
    assert user.email == "sky@example.com"
    assert user.emailaddress_set.get().email == "sky@example.com"


def test_curator_creates_a_login_for_an_imported_member_in_one_step(staff_client, mailoutbox):
    imported = MemberFactory(name="bee")
    page = staff_client.get(reverse("admin:auth_user_add")).content.decode()
    assert f'<option value="{imported.pk}">bee</option>' in page
    response = add_login(staff_client, username="bee", email="bee@example.com", member=imported.pk)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    imported.refresh_from_db()
    assert imported.user.username == "bee"
    # The e-mail lets bee reset the password the curator chose.
    Client().post("/accounts/password/reset/", {"email": "bee@example.com"})
    assert [message.to for message in mailoutbox] == [["bee@example.com"]]


def test_an_imported_members_name_as_a_new_member_is_refused_with_a_clear_message(staff_client):
    MemberFactory(name="bee")
    response = add_login(staff_client, username="bee", new_member="bee")
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors.as_data()["new_member"]
    assert error.code == "taken"
    assert not get_user_model().objects.filter(username="bee").exists()


def test_a_login_needs_an_email_address_nobody_else_has(staff_client):
    UserFactory(username="rain", email="sky@example.com", password=None)
    response = add_login(staff_client)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
    assert add_login(staff_client, email="").context["adminform"].form.errors["email"]


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
