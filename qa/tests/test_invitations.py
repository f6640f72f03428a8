"""Joining by invitation: curators make links, members follow them to an account that owns
their imported questions and answers; links that expired, were revoked or are used up are
refused with a page that says so."""

import logging
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa.models import Invitation, InvitationUse, Member, Round
from qa.models.invitations import token_digest

from .factories import AnswerFactory, MemberFactory, QuestionFactory, RoundFactory, UserFactory
from .people import sign_in
from .test_concurrency import at_once, statuses

pytestmark = pytest.mark.django_db

PASSWORD = "새 계정의 비밀번호 77!"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def invite(member=None, **options):
    curator = UserFactory(username="curator", is_staff=True, password=None)
    return Invitation.create(created_by=curator, member=member, **options)


def sign_up(client, username, **fields):
    data = {
        "username": username,
        "email": f"{username}@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post("/accounts/signup/", data | fields)


def test_an_invitation_for_an_imported_member_gives_their_questions_and_answers_an_owner():
    round_ = RoundFactory(number=1, state=Round.State.ANSWERING)
    bee = MemberFactory(name="bee")
    QuestionFactory(round=round_, author=bee)
    answer = AnswerFactory(question=QuestionFactory(round=round_), author=bee)
    _invitation, token = invite(bee)

    client = Client()
    response = client.get(f"/join/{token}/")
    assert response["Location"] == "/accounts/signup/"
    form_page = client.get("/accounts/signup/").content.decode()
    assert "bee" in form_page
    assert 'name="display_name"' not in form_page  # joining as bee, by bee's name
    response = sign_up(client, "bee-kim")
    assert response.status_code == 302, response.context["form"].errors

    bee.refresh_from_db()
    assert bee.user == get_user_model().objects.get(username="bee-kim")
    assert bee.user.email == "bee-kim@example.com"
    page = client.get(answer.question.get_absolute_url()).content.decode()
    assert f'href="/answers/{answer.pk}/edit/"' in page
    assert client.get(f"/answers/{answer.pk}/edit/").status_code == 200
    # Before, a visitor; another member still cannot edit bee's answer.
    assert f'href="/answers/{answer.pk}/edit/"' not in Client().get(
        answer.question.get_absolute_url()
    ).content.decode()
    assert sign_in("sky").get(f"/answers/{answer.pk}/edit/").status_code == 403
    assert "bee" in client.get("/").content.decode()


def test_an_open_invitation_creates_new_members_up_to_its_uses():
    invitation, token = invite(max_uses=2)
    for name in ["rain", "snow"]:
        client = Client()
        client.get(f"/join/{token}/")
        response = sign_up(client, name, display_name=f"{name}님")
        assert response.status_code == 302, response.context["form"].errors
        assert Member.objects.get(name=f"{name}님").user.username == name
    assert [use.member.name for use in invitation.uses.all()] == ["rain님", "snow님"]
    used_up = Client().get(f"/join/{token}/")
    assert used_up.status_code == 410
    assert "다 쓴 초대" in used_up.content.decode()


def test_a_taken_display_name_is_refused_and_nothing_is_created():
    MemberFactory(name="sky")
    _invitation, token = invite()
    client = Client()
    client.get(f"/join/{token}/")
    response = sign_up(client, "sky2", display_name="SKY")
    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["display_name"]
    assert error.code == "taken"
    assert "이미" in response.content.decode()
    assert not get_user_model().objects.filter(username="sky2").exists()
    # The link is not used up by the refused try.
    assert sign_up(client, "sky2", display_name="하늘2").status_code == 302


@pytest.mark.parametrize(
    "change, heading",
    [
        ({"expires": timezone.now() - timedelta(minutes=1)}, "만료된 초대"),
        ({"revoked": timezone.now()}, "취소된 초대"),
    ],
)
def test_expired_and_revoked_invitations_are_refused_with_a_clear_page(change, heading):
    invitation, token = invite(MemberFactory(name="bee"))
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    client = Client()
    response = client.get(f"/join/{token}/")
    assert response.status_code == 410
    assert heading in response.content.decode()
    assert "qa_invitation" not in client.session
    assert "가입은 초대" in client.get("/accounts/signup/").content.decode()


def test_a_used_invitation_for_a_member_is_refused():
    bee = MemberFactory(name="bee")
    _invitation, token = invite(bee)
    client = Client()
    client.get(f"/join/{token}/")
    sign_up(client, "bee")
    response = Client().get(f"/join/{token}/")
    assert response.status_code == 410
    assert "다 쓴 초대" in response.content.decode()


def test_an_invitation_revoked_after_it_was_followed_creates_no_account():
    invitation, token = invite()
    client = Client()
    client.get(f"/join/{token}/")
    invitation.revoke()
    response = sign_up(client, "late", display_name="late")
    assert "가입은 초대" in response.content.decode()
    assert not get_user_model().objects.filter(username="late").exists()


def test_an_unknown_link_is_a_404_and_guessing_is_limited_per_address():
    client = Client(REMOTE_ADDR="10.9.0.1")
    for number in range(10):
        assert client.get(f"/join/guess-{number}/").status_code == 404
    limited = client.get("/join/guess-10/")
    assert limited.status_code == 429
    assert "잠시" in limited.content.decode()
    # Another address still gets in with a real link.
    _invitation, token = invite()
    assert Client(REMOTE_ADDR="10.9.0.2").get(f"/join/{token}/").status_code == 302


def test_tokens_are_random_stored_as_digests_and_never_logged(caplog):
    invitation, token = invite()
    _other, other_token = invite()
    assert len(token) >= 43  # 32 random bytes in URL-safe base64: 256 bits
    assert token != other_token
    assert invitation.token_digest == token_digest(token) != token
    assert not Invitation.objects.filter(token_digest=token).exists()
    Invitation.objects.filter(pk=invitation.pk).update(revoked=timezone.now())
    with caplog.at_level(logging.DEBUG):
        assert Client().get(f"/join/{token}/").status_code == 410
        assert Client().get(f"/join/{token}x/").status_code == 404
    assert token not in caplog.text


def test_sign_up_is_closed_without_an_invitation_unless_open(settings):
    closed = Client().get("/accounts/signup/")
    assert "가입은 초대" in closed.content.decode()
    assert sign_up(Client(), "walk-in", display_name="walk-in").status_code == 200
    assert not get_user_model().objects.filter(username="walk-in").exists()
    settings.SIGNUP_OPEN = True
    response = sign_up(Client(), "walk-in", display_name="걸어온 사람")
    assert response.status_code == 302, response.context["form"].errors
    assert Member.objects.get(name="걸어온 사람").user.username == "walk-in"


def test_curators_invite_from_the_members_page_and_see_the_link_once():
    bee = MemberFactory(name="bee")
    curator = sign_in("curator", staff=True)
    page = curator.get("/members/").content.decode()
    assert "bee 초대" in page
    response = curator.post(
        "/invitations/", {"member": bee.pk, "max_uses": 1, "days": 14}
    )
    invitation = Invitation.objects.get(member=bee)
    assert response["Location"] == invitation.get_absolute_url()
    detail = curator.get(response["Location"]).content.decode()
    link = re.search(r'value="http://testserver(/join/[^"]+/)"', detail).group(1)
    assert Invitation.objects.with_uses().find(link.split("/")[2]) == invitation
    assert invitation.expires.date() == (timezone.now() + timedelta(days=14)).date()
    # Shown once: the database keeps only a digest.
    assert "/join/" not in curator.get(response["Location"]).content.decode()


def test_an_open_invitation_from_the_members_page_and_its_checks():
    curator = sign_in("curator", staff=True)
    response = curator.post("/invitations/", {"member": "", "max_uses": 5, "days": 3})
    invitation = Invitation.objects.get()
    assert (invitation.member, invitation.max_uses) == (None, 5)
    assert response.status_code == 302
    bee = MemberFactory(name="bee")
    refused = curator.post("/invitations/", {"member": bee.pk, "max_uses": 3, "days": 3})
    assert refused.status_code == 400
    assert refused.context["form"].errors.as_data()["__all__"][0].code == "member_once"


def test_members_see_no_invitations_and_cannot_make_or_revoke_one():
    invitation, _token = invite()
    member = sign_in("bee")
    page = member.get("/members/").content.decode()
    assert "/invitations/" not in page
    assert member.post("/invitations/", {"max_uses": 1, "days": 1}).status_code == 403
    assert member.get(invitation.get_absolute_url()).status_code == 403
    assert member.post(f"/invitations/{invitation.pk}/revoke/").status_code == 403
    assert Client().post("/invitations/", {"max_uses": 1, "days": 1}).status_code == 403
    assert Invitation.objects.count() == 1


def test_revoking_and_who_used_it():
    invitation, token = invite()
    client = Client()
    client.get(f"/join/{token}/")
    sign_up(client, "rain", display_name="비")
    curator = sign_in("curator2", staff=True)
    detail = curator.get(invitation.get_absolute_url()).content.decode()
    assert "비" in detail and "rain" in detail
    response = curator.post(f"/invitations/{invitation.pk}/revoke/")
    assert response["Location"] == invitation.get_absolute_url()
    assert Client().get(f"/join/{token}/").status_code == 410
    assert curator.get(f"/invitations/{invitation.pk}/revoke/").status_code == 405


def test_curators_make_invitations_in_the_admin_and_see_the_link_once(staff_client):
    bee = MemberFactory(name="bee")
    response = staff_client.post(
        reverse("admin:qa_invitation_add"),
        {"member": bee.pk, "max_uses": 1, "expires_0": "2099-01-01", "expires_1": "00:00:00"},
        follow=True,
    )
    invitation = Invitation.objects.get()
    [message, *_rest] = [str(m) for m in response.context["messages"]]
    token = re.search(r"/join/([^/]+)/", message).group(1)
    assert Invitation.objects.find(token) == invitation
    assert invitation.created_by.username == "curator"
    changelist = staff_client.get(reverse("admin:qa_invitation_changelist")).content.decode()
    assert token not in changelist


def test_the_admin_offers_only_members_without_an_account(staff_client):
    MemberFactory(name="imported")
    MemberFactory(name="joined", user=UserFactory(username="joined", password=None))
    page = staff_client.get(reverse("admin:qa_invitation_add")).content.decode()
    assert ">imported<" in page
    assert ">joined<" not in page


def test_constraints():
    bee = MemberFactory(name="bee")
    invitation, _token = invite(bee)
    user = UserFactory(username="u1", password=None)
    InvitationUse.objects.create(invitation=invitation, user=user, member=bee)
    with pytest.raises(IntegrityError):
        InvitationUse.objects.create(invitation=invitation, user=user, member=bee)


def test_an_invitation_for_a_member_is_for_one_use():
    with pytest.raises(IntegrityError):
        invite(MemberFactory(name="bee"), max_uses=2)


def test_an_invitation_has_at_least_one_use():
    with pytest.raises(IntegrityError):
        invite(max_uses=0)


def test_tokens_are_unique():
    invitation, _token = invite()
    with pytest.raises(IntegrityError):
        Invitation.objects.create(token_digest=invitation.token_digest)


def test_pages_cost_a_fixed_number_of_queries(django_assert_max_num_queries):
    for number in range(5):
        invite(MemberFactory(name=f"m{number}"))
    curator = sign_in("curator2", staff=True)
    # Session, user, member; members; invitations with their uses; the form's choices.
    with django_assert_max_num_queries(6):
        assert curator.get("/members/").status_code == 200
    invitation = Invitation.objects.first()
    # Session, user, member; the invitation; who used it.
    with django_assert_max_num_queries(5):
        assert curator.get(invitation.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(1):
        assert Client().get("/members/").status_code == 200


def test_a_member_given_an_account_meanwhile_is_not_claimed_twice():
    bee = MemberFactory(name="bee")
    _invitation, token = invite(bee)
    client = Client()
    client.get(f"/join/{token}/")
    bee.user = UserFactory(username="bee-by-admin", password=None)
    bee.save(update_fields=["user"])
    response = sign_up(client, "bee-again")
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not get_user_model().objects.filter(username="bee-again").exists()
    again = Client().get(f"/join/{token}/")
    assert again.status_code == 410
    assert "이미 계정이 있습니다" in again.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and races need PostgreSQL")
def test_two_people_on_the_last_use_of_a_link_at_once_one_joins():
    invitation, token = invite(max_uses=1)
    clients = [Client(), Client()]
    for client in clients:
        client.get(f"/join/{token}/")
    results = at_once(
        *(
            lambda client=client, name=name: sign_up(client, name, display_name=name)
            for client, name in zip(clients, ["first", "second"])
        )
    )
    # The other is refused: by the row lock (410), or, if it came a moment later, by the
    # sign-up page, closed now that the link is used up (200).
    assert statuses(results) in ([200, 302], [302, 410])
    assert invitation.uses.count() == 1
    assert get_user_model().objects.filter(username__in=["first", "second"]).count() == 1
    assert Member.objects.filter(name__in=["first", "second"]).count() == 1


def test_curators_invite_from_a_members_own_page_too():
    bee = MemberFactory(name="bee")
    curator = sign_in("curator", staff=True)
    assert "bee 초대" in curator.get(bee.get_absolute_url()).content.decode()
    assert "bee 초대" not in sign_in("sky").get(bee.get_absolute_url()).content.decode()
    assert "bee 초대" not in Client().get(bee.get_absolute_url()).content.decode()
    response = curator.post("/invitations/", {"member": bee.pk, "max_uses": 1})
    invitation = Invitation.objects.get(member=bee)
    assert response["Location"] == invitation.get_absolute_url()
    assert invitation.expires.date() == (timezone.now() + timedelta(days=14)).date()
    sign_in("joined")  # a member with an account: nobody to invite
    assert "joined 초대" not in curator.get("/members/joined/").content.decode()
