"""Signing in, each account loaded with its member."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .compiled import OneRowQuery


class WithMember:
    """Loads the account's member in the same query as the account.

    Every signed-in page shows the member's name and asks what they may do, which took a
    query of its own on every request.
    """

    def get_user(self, user_id):
        user = ACCOUNTS.get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


# Every signed-in request loads its account: compiled once (qa.compiled).
ACCOUNTS = OneRowQuery(
    lambda: get_user_model()._default_manager.select_related("member"), "pk", sentinel=0
)


class MemberBackend(WithMember, ModelBackend):
    """Django's ModelBackend: the admin, the test client's login()."""


class AccountBackend(WithMember, AuthenticationBackend):
    """allauth's: sign-in by user name or e-mail address."""
