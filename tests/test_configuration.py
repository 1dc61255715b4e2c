"""Start-up reads the environment and stops on a malformed value, naming it."""

import os
import socket
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
        ("REDIS_URL", "redis://localhost:abc/0"),  # a port that is no number: refused at start, not per request
        ("DATABASE_URL", "postgres://u@[::1/db"),
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


def manage(*args, **overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "EMAIL_HOST")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x" * 50, **overrides})
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def assert_one_line_naming(result, name: str):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], result.stderr


@pytest.mark.parametrize(
    "name,value", [("DEBUG", "maybe"), ("EMAIL_PORT", "twenty-five"), ("DATABASE_URL", "mysql://localhost/db")]
)
@pytest.mark.parametrize("command", ["check", "import_subscribers"])
def test_a_malformed_setting_is_one_line_from_any_command(tmp_path, command, name, value):
    assert_one_line_naming(manage(command, VAR_DIR=str(tmp_path), **{name: value}), name)


def test_an_unreachable_database_is_one_line_naming_database_url(tmp_path):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = manage("migrate", VAR_DIR=str(tmp_path), DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/nowhere")
    assert_one_line_naming(result, "DATABASE_URL")
    assert f"127.0.0.1:{port}" in result.stderr


def test_a_missing_var_dir_is_created(tmp_path):
    var_dir = tmp_path / "not" / "yet"
    result = manage("migrate", "--noinput", VAR_DIR=str(var_dir))
    assert result.returncode == 0, result.stderr
    assert (var_dir / "db.sqlite3").exists()


def test_a_var_dir_that_cannot_be_created_is_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    assert_one_line_naming(manage("check", VAR_DIR=str(tmp_path / "file" / "var")), "VAR_DIR")


def test_gunicorn_stops_on_a_malformed_setting_with_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x" * 50, "DEBUG": "maybe"})
    env.update({"VAR_DIR": str(tmp_path), "GUNICORN_WORKERS": "1", "BIND": "127.0.0.1:0"})
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "DEBUG must be a boolean" in result.stderr, result.stderr
