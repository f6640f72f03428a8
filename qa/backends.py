"""Signing in, each account loaded with its member."""

from functools import cache

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from .models import Member


class WithMember:
    """Loads the account's member in the same query as the account.

    Every signed-in page shows the member's name and asks what they may do, which took a
    query of its own on every request. The query is written out once (_account_query): on
    every signed-in request the ORM took about 0.8 ms of CPU to build what runs in 0.2.
    """

    def get_user(self, user_id):
        user = _account_with_member(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class MemberBackend(WithMember, ModelBackend):
    """Django's ModelBackend: the admin, the test client's login()."""


class AccountBackend(WithMember, AuthenticationBackend):
    """allauth's: sign-in by user name or e-mail address."""


def _account_with_member(user_id):
    """The account `user_id` with its member (or its lack of one) cached on it, or None."""
    User = get_user_model()
    alias = router.db_for_read(User)
    sql, user_fields, member_fields, converters = _account_query(alias)
    try:
        user_id = User._meta.pk.to_python(user_id)
    except Exception:  # a session naming no possible account is no account
        return None
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [User._meta.pk.get_db_prep_value(user_id, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, expression, functions in converters:
        for convert in functions:
            values[index] = convert(values[index], expression, connection)
    split = len(user_fields)
    user = User.from_db(alias, [f.attname for f in user_fields], values[:split])
    member = None
    if values[split] is not None:  # the member's primary key: the join found one
        member = Member.from_db(alias, [f.attname for f in member_fields], values[split:])
        Member.user.field.set_cached_value(member, user)
    # As select_related() leaves it: `user.member` asks no query, with or without a member.
    User.member.related.set_cached_value(user, member)
    return user


@cache
def _account_query(alias):
    """What _account_with_member runs on `alias`: the SQL, the fields it reads, converters."""
    User = get_user_model()
    connection = connections[alias]
    quote = connection.ops.quote_name
    user_fields, member_fields = User._meta.concrete_fields, Member._meta.concrete_fields
    columns = [f"u.{quote(f.column)}" for f in user_fields]
    columns += [f"m.{quote(f.column)}" for f in member_fields]
    pk = quote(User._meta.pk.column)
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(User._meta.db_table)} u"
        f" LEFT OUTER JOIN {quote(Member._meta.db_table)} m"
        f" ON m.{quote(Member.user.field.column)} = u.{pk} WHERE u.{pk} = %s"
    )
    # What the ORM would apply to each column (SQLite's dates come back as text, say).
    converters = []
    for index, field in enumerate([*user_fields, *member_fields]):
        expression = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        if functions:
            converters.append((index, expression, functions))
    return sql, tuple(user_fields), tuple(member_fields), converters
