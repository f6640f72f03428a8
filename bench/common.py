"""What `make bench` and `make soak` share: production settings on loopback, a fresh
PostgreSQL database, gunicorn, the machine's description and the report's markers."""

import os
import platform
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def production_settings(database_url, redis_url, **extra):
    """Production settings, as `make serve` runs them; plain HTTP on loopback. For this
    process (set before django.setup()) and the gunicorn it starts."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="studygroup.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        **extra,
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def create_database(database_url):
    """Drop and create the database, UTF-8 like production."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")


def flush_cache():
    from django.core.cache import cache

    cache.clear()


class Server:
    """gunicorn with gunicorn.conf.py on 127.0.0.1:`port`, up once /healthz answers."""

    def __init__(self, port):
        self.port = port
        self.process = None

    def __enter__(self):
        env = {**os.environ, "BIND": f"127.0.0.1:{self.port}"}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise SystemExit("gunicorn did not answer /healthz within 30 s")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_until_idle(self):
        """Slow pages leave requests queued after wrk stops; the next page must not wait
        behind them. Idle: /healthz answers within 20 ms three times in a row."""
        fast = 0
        deadline = time.monotonic() + 120
        while fast < 3 and time.monotonic() < deadline:
            started = time.monotonic()
            with urllib.request.urlopen(self.url("/healthz"), timeout=60):
                pass
            fast = fast + 1 if time.monotonic() - started < 0.02 else 0
            time.sleep(0.05)

    def latency(self, path, requests):
        """One request at a time: how long a single reader waits. Milliseconds, sorted."""
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            with urllib.request.urlopen(self.url(path), timeout=120) as response:
                response.read()
                assert response.status == 200, (path, response.status)
            timings.append((time.perf_counter() - started) * 1000)
        return sorted(timings)


def percentile(timings, share):
    """The value `share` of the way up sorted `timings`."""
    return timings[min(len(timings) - 1, int(len(timings) * share))]


def workers():
    """gunicorn's workers, as gunicorn.conf.py counts them."""
    return int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() * 2 + 1))


def machine():
    """Two Markdown list items: the hardware and system, then the software's versions."""
    from django.core.cache import cache
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        int(line.split()[1]) // 1024 // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    os_name = next(
        (
            line.split("=", 1)[1].strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME=")
        ),
        platform.system(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    redis = cache._cache.get_client().info("server")["redis_version"]
    return (
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory} GiB; {os_name}, "
        f"Linux {platform.release()}\n"
        f"- Python {platform.python_version()}, Django {__import__('django').get_version()}, "
        f"PostgreSQL {postgres.split()[0]}, Redis {redis}"
    )


def write_report(report, text, title, start, end):
    """Put `text` between the markers in `report`, keeping what is written around them."""
    current = report.read_text() if report.exists() else f"# {title}\n\n{start}\n{end}\n"
    before, _, rest = current.partition(start)
    _, _, after = rest.partition(end)
    report.write_text(f"{before}{start}\n{text}\n{end}{after}")


def signed_in_member():
    """A test client and its cookies (session and CSRF), for a member of the newest round."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from qa.models import Member

    member = Member.objects.order_by("pk").first()
    if member.user is None:
        member.user = get_user_model().objects.create_user(f"bench-{member.pk}")
        member.save(update_fields=["user"])
    client = Client()
    client.force_login(member.user)
    # The CSRF cookie too, as a browser sends it from its first page with a form on: without
    # it each request would make a new secret.
    client.get("/")
    cookies = [settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME]
    return client, "; ".join(f"{name}={client.cookies[name].value}" for name in cookies)
