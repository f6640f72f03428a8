"""Each signed-in request loads its account and member in one query (qa.backends)."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qa.backends import AccountBackend, MemberBackend
from qa.models import Member

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def concrete_values(obj):
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


@pytest.mark.parametrize("backend", [MemberBackend(), AccountBackend()])
def test_an_account_comes_with_its_member_in_one_query(backend, django_assert_num_queries):
    user = UserFactory(username="sky", last_login=timezone.now(), first_name="하늘")
    member = Member.objects.create(name="하늘", user=user)
    with django_assert_num_queries(1):
        loaded = backend.get_user(user.pk)
        assert loaded.member.name == "하늘" and loaded.member.user is loaded
    # Every field as the ORM reads it: dates come back as dates on SQLite too.
    assert concrete_values(loaded) == concrete_values(get_user_model().objects.get(pk=user.pk))
    assert concrete_values(loaded.member) == concrete_values(Member.objects.get(pk=member.pk))
    assert loaded.check_password("correct horse battery staple")
    assert loaded.get_session_auth_hash() == user.get_session_auth_hash()


def test_an_account_without_a_member_asks_no_more(django_assert_num_queries):
    user = UserFactory(username="curator", is_staff=True)
    Member.objects.create(name="someone else")
    with django_assert_num_queries(1):
        loaded = MemberBackend().get_user(user.pk)
        assert getattr(loaded, "member", None) is None
    assert loaded.is_staff and loaded.username == "curator"


def test_no_account_for_an_inactive_missing_or_malformed_id():
    inactive = UserFactory(username="gone", is_active=False)
    backend = MemberBackend()
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(inactive.pk + 1000) is None
    assert backend.get_user("not a number") is None
