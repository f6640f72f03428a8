"""Signing in, each account loaded with its member."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class WithMember:
    """Loads the account's member in the same query as the account.

    Every signed-in page shows the member's name and asks what they may do, which took a
    query of its own on every request.
    """

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("member")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class MemberBackend(WithMember, ModelBackend):
    """Django's ModelBackend: the admin, the test client's login()."""


class AccountBackend(WithMember, AuthenticationBackend):
    """allauth's: sign-in by user name or e-mail address."""
