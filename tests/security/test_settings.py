"""Production settings: secure cookies, a long SECRET_KEY, and a clean ``manage.py check --deploy``."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LONG_KEY = "k" * 25 + "-production-secret-key-xyz0123"  # 55 characters, varied enough for the deploy check
COOKIES = "from django.conf import settings; print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"


def run(args: list[str], **overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": LONG_KEY, **overrides})
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def boot(code: str, **overrides) -> subprocess.CompletedProcess:
    return run(["-c", f"import django; django.setup(); {code}"], **overrides)


def test_cookies_are_secure_unless_debug():
    assert boot(COOKIES).stdout.split() == ["True", "True"]
    assert boot(COOKIES, DEBUG="1").stdout.split() == ["False", "False"]


def test_a_short_secret_key_is_refused_at_start():
    result = boot("", SECRET_KEY="s" * 49)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "50" in result.stderr
    assert boot("", SECRET_KEY="s" * 50).returncode == 0


def test_check_deploy_is_clean_in_production():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DATABASE_URL="postgres://app@db.internal:5432/emailapi",
        REDIS_URL="redis://cache.internal:6379/0",
        ALLOWED_HOSTS="mail.example.com",
        PUBLIC_BASE_URL="https://mail.example.com",
        TRUST_X_FORWARDED_PROTO="true",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
