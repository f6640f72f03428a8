"""A member's profile: the display name every page shows, cached pages included, and the
way to their e-mail addresses, password and GitHub."""

import pytest
from django.test import Client

from qa.models import Member

from .factories import MemberFactory, UserFactory
from .people import sign_in

pytestmark = pytest.mark.django_db


def test_a_new_display_name_shows_at_once_on_a_cached_board(make_round):
    round_ = make_round(members=3)
    member = Member.objects.filter(questions__round=round_).first()
    member.user = UserFactory(username="renamer", password=None)
    member.save(update_fields=["user"])
    visitor = Client()
    before = visitor.get(round_.get_absolute_url())
    assert visitor.get(round_.get_absolute_url()).content == before.content  # cached
    old_name = member.name

    client = Client()
    client.force_login(member.user)
    response = client.post("/profile/", {"name": "새 이름"})
    assert response["Location"] == "/profile/"
    after = visitor.get(round_.get_absolute_url()).content.decode()
    assert "새 이름" in after
    assert f">{old_name}<" not in after
    assert "새 이름" in client.get("/").content.decode()  # the header's name too


def test_a_taken_display_name_is_refused_in_any_letter_case():
    MemberFactory(name="Sky")
    client = sign_in("bee")
    response = client.post("/profile/", {"name": "sky"})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["name"][0].code == "taken"
    assert "이미" in response.content.decode()
    assert Member.objects.filter(name="bee").exists()
    # Keeping one's own name is no conflict.
    assert client.post("/profile/", {"name": "bee"}).status_code == 302


def test_an_account_without_a_member_gets_one_from_its_profile():
    user = UserFactory(username="curator", is_staff=True, password=None)
    client = Client()
    client.force_login(user)
    assert client.get("/profile/").status_code == 200
    client.post("/profile/", {"name": "운영진"})
    assert Member.objects.get(name="운영진").user == user


def test_the_profile_leads_to_email_password_and_github_pages():
    client = sign_in("bee")
    page = client.get("/profile/").content.decode()
    for path in ["/accounts/email/", "/accounts/password/change/"]:
        assert f'href="{path}"' in page
        # An account made without a password is asked to set one instead of changing it.
        assert client.get(path, follow=True).status_code == 200
    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "new-bee@example.com"}
    )
    assert response.status_code == 302
    assert client.get("/accounts/email/").content.decode().count("new-bee@example.com") >= 1


def test_visitors_are_asked_to_sign_in_and_the_header_links_the_profile():
    assert Client().get("/profile/")["Location"] == "/accounts/login/?next=/profile/"
    assert 'href="/profile/"' in sign_in("bee").get("/").content.decode()


def test_the_profile_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    client = sign_in("bee")
    # Session, user, member (the form's instance and the header share it), and allauth's
    # look for GitHub apps kept in the database (none: StudyBoard's come from settings).
    with django_assert_max_num_queries(4):
        assert client.get("/profile/").status_code == 200
