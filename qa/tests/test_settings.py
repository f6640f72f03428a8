"""Production settings come from the environment; checked in a fresh interpreter each time."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "prod-" + "k3y-Ω-" * 12,
    "DJANGO_ALLOWED_HOSTS": "board.example.com",
}


def manage(*args, **env):
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_python(script, **env):
    """What `script` prints in a fresh interpreter with production settings and `env` alone
    (none of this process's DJANGO_, MEDIA_ or DATABASE_ variables)."""
    clean_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDIA_", "DATABASE_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, capture_output=True, text=True,
        env={**clean_env, "DJANGO_SETTINGS_MODULE": "studygroup.settings", **PRODUCTION, **env},
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["short-key", "a" * 60, "django-insecure-" + "x1y2z3" * 10],
    ids=["short", "one-letter", "django-default"],
)
def test_production_refuses_a_weak_secret_key(key):
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": key})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


def test_development_needs_no_configuration():
    result = manage("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_no_missing_migrations():
    result = manage("makemigrations", "--check", "--dry-run", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_media_bucket_keeps_uploads_in_object_storage():
    """Several nodes share uploads through MEDIA_BUCKET; protected images keep the site's own
    address, where the account is checked, public ones the bucket's."""
    script = (
        "import django; django.setup();"
        "from django.core.files.storage import default_storage as s;"
        "s._setup(); print(type(s._wrapped).__name__, s.bucket_name, s.url('answers/a.png'))"
    )

    def run(**env):
        return production_python(script, MEDIA_BUCKET="board-media", **env).split()

    assert run(BOARD_PUBLIC="0") == ["MediaBucket", "board-media", "/media/answers/a.png"]
    public = run(MEDIA_CUSTOM_DOMAIN="media.example.com")
    assert public == ["MediaBucket", "board-media", "https://media.example.com/answers/a.png"]


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold'))"
    )

    def threshold(**env):
        return production_python(script, DATABASE_URL="postgres://board@db.example.com/board", **env)

    assert threshold() == "5"
    assert threshold(DATABASE_PREPARED_STATEMENTS="0") == "None"
