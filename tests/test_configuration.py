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
        ("SEND_RATE_PER_SECOND", "-1"),
        ("SEND_RATE_PER_HOUR", "fast"),
        ("SMTP_SERVER_COOLDOWN_SECONDS", "0"),
        ("EMAIL_TRANSPORTS", '[{"host": "a.example", "weight": 0}]'),
        ("EMAIL_TRANSPORTS", '[{"host": "a.example", "colour": "red"}]'),
        ("EMAIL_TRANSPORTS", '[{"host": "a.example", "tls": "maybe"}]'),
        ("EMAIL_TRANSPORTS", '[{"port": 25}]'),
        ("EMAIL_TRANSPORTS", "[not json"),
        ("EMAIL_TRANSPORTS", '{"host": "a.example"}'),
        ("EMAIL_TRANSPORTS", "http://a.example"),
        ("EMAIL_TRANSPORTS", "smtp://a.example:99999"),
        ("EMAIL_TRANSPORTS", "smtp://a.example?perSecond=lots"),
        ("EMAIL_TRANSPORTS", "smtp://a.example?speed=9"),
        ("EMAIL_TRANSPORTS", "smtp://a.example/path"),
        ("EMAIL_TRANSPORTS", "smtp://a.example smtp://a.example"),  # two named a.example:25
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


def test_email_transports_and_email_host_together_stop_start_up():
    result = boot(EMAIL_HOST="smtp.example.com", EMAIL_TRANSPORTS="smtp://relay.example.com")
    assert result.returncode != 0 and "EMAIL_TRANSPORTS" in result.stderr


def test_email_transports_read_as_json_or_as_urls(monkeypatch):
    from config.env import env_smtp_servers

    monkeypatch.setenv(
        "EMAIL_TRANSPORTS",
        "smtp+starttls://mailer:p%40ss%2Cword@relay.example.com?weight=3&perSecond=100&perHour=50000, "
        "smtps://backup.example.com:2465?name=backup",
    )
    relay, backup = env_smtp_servers("EMAIL_TRANSPORTS")
    assert relay == {
        "name": "relay.example.com:587",
        "host": "relay.example.com",
        "port": 587,
        "username": "mailer",
        "password": "p@ss,word",
        "use_tls": True,
        "use_ssl": False,
        "weight": 3,
        "per_second": 100,
        "per_hour": 50000,
    }
    assert (backup["name"], backup["port"], backup["use_ssl"], backup["weight"]) == ("backup", 2465, True, 1)
    monkeypatch.setenv(
        "EMAIL_TRANSPORTS",
        '[{"host": "relay.example.com", "tls": "starttls", "user": "mailer", "password": "p@ss,word", '
        '"weight": 3, "perSecond": 100, "perHour": 50000}, {"name": "backup", "host": "backup.example.com", '
        '"port": 2465, "tls": "ssl"}]',
    )
    assert env_smtp_servers("EMAIL_TRANSPORTS") == [relay, backup]
