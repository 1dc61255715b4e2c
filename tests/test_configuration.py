"""Start-up reads the environment and stops on a malformed value, naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOT = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"


def boot(**overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "EMAIL_HOST")
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x" * 50, **overrides})
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run([sys.executable, "-c", BOOT], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.mark.parametrize(
    "name,value",
    [
        ("DEBUG", "maybe"),
        ("EMAIL_PORT", "twenty-five"),
        ("EMAIL_USE_TLS", "sure"),
        ("DATABASE_URL", "mysql://localhost/db"),
        ("REDIS_URL", "http://localhost:6379"),
        ("PUBLIC_BASE_URL", "ftp://example.com"),
        ("MAX_REQUEST_BODY_BYTES", "-5"),
        ("API_RATE_LIMIT_PER_MINUTE", "lots"),
        ("MAX_JSON_DEPTH", "2"),
        ("MAX_JSON_ITEMS", "many"),
    ],
)
def test_malformed_value_stops_start_up_naming_the_variable(name, value):
    result = boot(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_secret_key_is_required_without_debug():
    result = boot(SECRET_KEY=None)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_debug_has_a_development_secret_key():
    assert boot(SECRET_KEY=None, DEBUG="1").returncode == 0


def test_embedded_default_is_sqlite_and_postgres_when_configured():
    assert "sqlite3" in boot().stdout
    assert "postgresql" in boot(DATABASE_URL="postgres://postgres@127.0.0.1:5432/x").stdout
