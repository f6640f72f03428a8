"""Signed-in test clients for the roles that take part on the board."""

from django.test import Client

from .factories import MemberFactory, UserFactory


def sign_in(name, *, staff=False, member=True, **client_options):
    """A client signed in as `name`, with a member of that name unless member=False."""
    # No password: hashing one costs most of a test's time, and force_login needs none.
    user = UserFactory(username=name, is_staff=staff, password=None)
    if member:
        MemberFactory(name=name, user=user)
    client = Client(**client_options)
    client.force_login(user)
    return client


def role_clients(language=None):
    """visitor, member, another member and curator (staff, with a member of their own), each
    asking for the interface in `language` if given."""
    clients = {
        "visitor": Client(),
        "member": sign_in("member"),
        "other": sign_in("other"),
        "curator": sign_in("curator", staff=True),
    }
    if language:
        for client in clients.values():
            client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return clients
