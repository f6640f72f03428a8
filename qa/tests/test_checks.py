from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.checks import Tags, run_checks
from django.db import connection

from qa.checks import check_search_locale
from studygroup.postgresql.base import DatabaseCreation


class FakePostgreSQL:
    """Just enough of a PostgreSQL connection to answer the check's one query."""

    vendor = "postgresql"

    def __init__(self, ctype):
        self.ctype = ctype
        self.queries = []

    @contextmanager
    def cursor(self):
        yield mock.Mock(
            execute=self.queries.append, fetchone=mock.Mock(return_value=(self.ctype,))
        )


def check_with(ctype):
    fake = FakePostgreSQL(ctype)
    with mock.patch("qa.checks.connections", {"default": fake}):
        return check_search_locale(None, databases=["default"]), fake


@pytest.mark.parametrize("ctype", ["C", "POSIX", "en_US", "ko_KR.EUC-KR"])
def test_warns_when_hangul_gets_no_trigrams(ctype):
    [warning], fake = check_with(ctype)
    assert warning.id == "qa.W001"
    assert repr(ctype) in warning.msg
    assert "--lc-ctype=C.UTF-8" in warning.hint
    assert fake.queries == ["SELECT datctype FROM pg_database WHERE datname = current_database()"]


@pytest.mark.parametrize("ctype", ["C.UTF-8", "C.utf8", "ko_KR.UTF-8", "en_US.utf8"])
def test_utf8_locales_pass(ctype):
    assert check_with(ctype)[0] == []


def test_is_a_database_check_run_only_when_databases_are():
    fake = FakePostgreSQL("C")
    with mock.patch("qa.checks.connections", {"default": fake}):
        assert "qa.W001" in [m.id for m in run_checks(databases=["default"], tags=[Tags.database])]
        assert "qa.W001" not in [m.id for m in run_checks()]  # plain `check`: no query at all
    assert len(fake.queries) == 1


def test_other_databases_are_not_asked():
    sqlite = SimpleNamespace(vendor="sqlite", cursor=mock.Mock())
    with mock.patch("qa.checks.connections", {"default": sqlite}):
        assert check_search_locale(None, databases=["default"]) == []
    sqlite.cursor.assert_not_called()


@pytest.mark.django_db
def test_the_test_database_passes_for_real():
    assert check_search_locale(None, databases=["default"]) == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            assert cursor.fetchone()[0] == "C.UTF-8"


def test_test_databases_are_created_with_a_utf8_ctype():
    def suffix(**test):
        fake = SimpleNamespace(
            settings_dict={"TEST": {"CHARSET": None, **test}},
            ops=SimpleNamespace(quote_name=lambda name: f'"{name}"'),
        )
        return DatabaseCreation(fake).sql_table_creation_suffix()

    assert suffix(TEMPLATE="template0", CHARSET="UTF8", LC_CTYPE="C.UTF-8") == (
        """WITH ENCODING 'UTF8' TEMPLATE "template0" LC_CTYPE 'C.UTF-8'"""
    )
    assert suffix(LC_CTYPE="it's") == "WITH LC_CTYPE 'it''s'"
    assert suffix() == ""
