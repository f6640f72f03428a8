"""Two gunicorn nodes sharing one PostgreSQL and one Redis, as behind a load balancer: an edit
through one shows at once on the other's cached board and member page.

Runs only on PostgreSQL with a Redis at TWO_NODES_REDIS_URL (default db 14 on localhost):
SQLite and local memory are one machine's.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from qa.models import Answer, Round

from .conftest import build_round
from .factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TWO_NODES_REDIS_URL", "redis://127.0.0.1:6379/14")
# One name for both nodes, as a load balancer sends it: cached pages are keyed by address.
HOST = "localhost"

pytestmark = pytest.mark.django_db(transaction=True)


def redis_available():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Node:
    """One gunicorn worker on its own port, with the test database and the shared Redis."""

    def __init__(self, database_url):
        self.port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "studygroup.settings",
            "DJANGO_DEBUG": "1",  # static files without collectstatic; caching is the same
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "RATELIMIT_ENABLE": "0",
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "1",
        }
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [str(gunicorn), "--config", "gunicorn.conf.py"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz", None)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError(f"gunicorn on {self.port} did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)

    def request(self, path, jar, data=None):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=urlencode(data).encode() if data is not None else None,
            headers={"Host": HOST},
        )
        handlers = [urllib.request.HTTPCookieProcessor(jar)] if jar is not None else []
        opener = urllib.request.build_opener(*handlers, NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path, jar):
        return self.request(path, jar)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def signed_in_jar(user):
    """A cookie jar holding a session of `user`'s, for HOST on any port."""
    client = Client()
    client.force_login(user)
    jar = CookieJar()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    jar.set_cookie(make_cookie(cookie.key, cookie.value))
    return jar


def make_cookie(name, value):
    from http.cookiejar import Cookie

    return Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False,
        None, None, {},
    )  # fmt: skip


def test_an_edit_through_one_node_shows_at_once_on_the_other():
    if connection.vendor != "postgresql" or not redis_available():
        pytest.skip("needs PostgreSQL and a Redis at TWO_NODES_REDIS_URL")
    round_ = build_round(members=3, questions_each=2)
    answer = Answer.objects.filter(round=round_).select_related("author").first()
    writer = answer.author
    writer.user = UserFactory(username="node-writer", password=None)
    writer.save(update_fields=["user"])
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    board, member_page = round_.get_absolute_url(), f"/members/{quote(writer.name)}/"
    jar = signed_in_jar(writer.user)

    first = Node(database_url)
    try:
        second = Node(database_url)
        try:
            # Both nodes' caches hold every page: the visitors' board and member page, and the
            # member's own, kept for them (Redis holds them for both nodes).
            pages = ((board, None), (board, jar), (member_page, None), (member_page, jar))
            for node in (first, second, second):
                for path, cookies in pages:
                    status, html = node.get(path, cookies)
                    assert status == 200, (node.port, path, status)
                    if path == board:
                        assert answer.body_html in html
            status, form = first.get(f"/answers/{answer.pk}/edit/", jar)
            assert status == 200
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
            version = re.search(r'name="version" value="(\d+)"', form)[1]
            edited = {"body": "두 노드에서 **바로** 보이는 답변", "version": version,
                      "csrfmiddlewaretoken": token}  # fmt: skip
            status, _html = first.request(f"/answers/{answer.pk}/edit/", jar, edited)
            assert status == 302
            assert Answer.objects.get(pk=answer.pk).body == edited["body"]

            shown = "두 노드에서 <strong>바로</strong> 보이는 답변"
            assert shown in second.get(board, None)[1]  # a visitor's whole cached page
            assert shown in second.get(board, jar)[1]  # the member's own kept page
            assert shown not in second.get(member_page, None)[1]  # lists show plain text
            for cookies in (None, jar):
                assert "두 노드에서 바로 보이는 답변" in second.get(member_page, cookies)[1]
            assert Round.objects.get(pk=round_.pk).revision > round_.revision
        finally:
            second.stop()
    finally:
        first.stop()
