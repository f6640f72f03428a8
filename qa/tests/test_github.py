"""GitHub sign-in through allauth, the whole OAuth flow against a fake GitHub: requests'
HTTP layer is answered here, since GitHub itself cannot be reached from the tests."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import Client

from qa.models import Invitation, Member

from .factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

GITHUB_USER = {"id": 4242, "login": "bee-gh", "name": "Bee Kim", "email": None}
GITHUB_EMAILS = [{"email": "bee@example.com", "primary": True, "verified": True}]


@pytest.fixture(autouse=True)
def github_app(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {
            "SCOPE": ["read:user", "user:email"],
            "APPS": [{"client_id": "test-client-id", "secret": "test-client-secret"}],
        }
    }


@pytest.fixture
def github(monkeypatch):
    """GitHub's token exchange and API as allauth calls them; records every request."""
    calls = []

    def answer(self, method, url, **kwargs):
        calls.append((method, url, kwargs))
        if url == "https://github.com/login/oauth/access_token":
            assert kwargs["data"]["code"] == "the-code"
            assert kwargs["data"]["client_id"] == "test-client-id"
            body = {"access_token": "gho_test", "token_type": "bearer", "scope": "read:user"}
        elif url == "https://api.github.com/user":
            assert kwargs["headers"]["Authorization"] == "token gho_test"
            body = GITHUB_USER
        elif url == "https://api.github.com/user/emails":
            body = GITHUB_EMAILS
        else:
            raise AssertionError(f"unexpected request to {url}")
        response = requests.Response()
        response.status_code = 200
        response.headers["content-type"] = "application/json"
        response._content = json.dumps(body).encode()
        response.url = url
        return response

    monkeypatch.setattr(requests.Session, "request", answer)
    return calls


def through_github(client, process="login"):
    """Start at StudyBoard, 'authorize' at GitHub, come back with a code: the last response."""
    confirm = client.get("/accounts/github/login/", {"process": process})
    assert confirm.status_code == 200  # a POST starts it, so no link can on its own
    response = client.post(f"/accounts/github/login/?process={process}")
    authorize = urlsplit(response["Location"])
    assert authorize.netloc == "github.com"
    query = parse_qs(authorize.query)
    assert query["client_id"] == ["test-client-id"]
    state = query["state"][0]
    return client.get("/accounts/github/login/callback/", {"code": "the-code", "state": state})


def test_sign_up_with_github_through_an_invitation_for_an_imported_member(github):
    bee = MemberFactory(name="bee")
    curator = UserFactory(username="curator", is_staff=True, password=None)
    _invitation, token = Invitation.create(created_by=curator, member=bee)
    client = Client()
    client.get(f"/join/{token}/")
    signup = client.get("/accounts/signup/").content.decode()
    assert 'href="/accounts/github/login/?process=login"' in signup

    response = through_github(client)
    assert response["Location"] == "/accounts/3rdparty/signup/"
    form = client.get(response["Location"])
    assert form.context["form"]["username"].value() == "bee-gh"
    assert form.context["form"]["email"].value() == "bee@example.com"
    response = client.post(
        "/accounts/3rdparty/signup/", {"username": "bee-gh", "email": "bee@example.com"}
    )
    assert response.status_code == 302, response.context["form"].errors
    bee.refresh_from_db()
    assert bee.user.username == "bee-gh"
    account = SocialAccount.objects.get(user=bee.user)
    assert (account.provider, account.uid) == ("github", "4242")
    assert [url for _method, url, _kwargs in github] == [
        "https://github.com/login/oauth/access_token",
        "https://api.github.com/user",
        "https://api.github.com/user/emails",
    ]
    # Later, GitHub alone signs bee in.
    again = Client()
    assert through_github(again)["Location"] == "/"
    assert again.get("/").context["user"] == bee.user


def test_sign_up_with_github_through_an_open_invitation_asks_for_a_display_name(github):
    MemberFactory(name="Bee Kim")
    curator = UserFactory(username="curator", is_staff=True, password=None)
    _invitation, token = Invitation.create(created_by=curator)
    client = Client()
    client.get(f"/join/{token}/")
    through_github(client)
    fields = {"username": "bee-gh", "email": "bee@example.com", "display_name": "Bee Kim"}
    taken = client.post("/accounts/3rdparty/signup/", fields)
    assert taken.context["form"].errors.as_data()["display_name"][0].code == "taken"
    response = client.post("/accounts/3rdparty/signup/", fields | {"display_name": "비"})
    assert response.status_code == 302
    assert Member.objects.get(name="비").user.username == "bee-gh"


def test_github_cannot_sign_up_without_an_invitation(github):
    client = Client()
    response = through_github(client)
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert "가입은 초대" in response.content.decode()
    assert not get_user_model().objects.filter(username="bee-gh").exists()
    assert not SocialAccount.objects.exists()


def test_a_member_connects_github_to_an_existing_account_and_signs_in_with_it(github):
    user = UserFactory(username="bee", email="bee@example.com", password=None)
    MemberFactory(name="bee", user=user)
    client = Client()
    client.force_login(user)
    assert "GitHub" in client.get("/profile/").content.decode()
    response = through_github(client, process="connect")
    assert response["Location"] == "/accounts/3rdparty/"
    connections = client.get("/accounts/3rdparty/").content.decode()
    assert "bee-gh" in connections
    account = SocialAccount.objects.get()
    assert (account.user, account.uid) == (user, "4242")

    signed_out = Client()
    assert through_github(signed_out)["Location"] == "/"
    assert signed_out.get("/").context["user"] == user


def test_without_the_github_settings_there_is_no_github_button(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"github": {"APPS": []}}
    assert "github" not in Client().get("/accounts/login/").content.decode()
