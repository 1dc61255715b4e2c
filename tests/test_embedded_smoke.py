"""`make run`'s embedded default, end to end: SQLite file, in-process jobs, a live server."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "EMAIL_HOST")}
    env.update(
        {
            "VAR_DIR": str(tmp_path),
            "SECRET_KEY": "smoke-secret-key-long-enough-for-django-checks-0123456789",
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )


def get(url, key=None, data=None, content_type="application/json"):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if data is not None:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, headers=headers, data=data)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.headers, json.loads(response.read())


def start_server(env, port):
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):  # 30 s: a loaded machine starts Django slowly
        try:
            get(f"http://127.0.0.1:{port}/")
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    pytest.fail("server did not start")


def test_embedded_default_serves_root_and_account_index(embedded_env, tmp_path):
    manage(embedded_env, "migrate", "--noinput")
    assert (tmp_path / "db.sqlite3").exists()
    key = manage(embedded_env, "create_account", "demo@example.com").stdout.strip().splitlines()[-1]
    port = free_port()
    server = start_server(embedded_env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        status, headers, body = get(base + "/")
        assert status == 200 and body["message"].startswith("Welcome")
        assert "profile=/schemas/message" in headers["Content-Type"]
        status, _, body = get(f"{base}/accounts/demo@example.com", key)
        assert status == 200
        assert any("/rels/account-home" in item["rel"] for item in body["_links"])
        # An import runs as an in-process job (no Redis) and writes through the ORM (SQLite).
        status, headers, _ = get(f"{base}/accounts/demo@example.com/lists", key, b'{"name": "Smoke"}')
        list_url = base + headers["Location"]
        status, headers, _ = get(
            f"{list_url}/subscribers/import",
            key,
            b"email,firstName\na@example.com,Ann\nbad,Bob\na@example.com,Dup\n",
            "text/csv",
        )
        assert status == 202
        for _ in range(100):
            _, _, task = get(base + headers["Location"], key)
            if task["status"] == "done":
                break
            time.sleep(0.1)
        assert task["status"] == "done", task
        assert task["result"]["new"] == 1 and task["result"]["invalid"] == 1
        assert task["result"]["duplicatedInFile"] == 1
        _, _, mailing_list = get(list_url, key)
        assert mailing_list["subscribersQuantity"] == 1
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for_status(url, key, status, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _, _, body = get(url, key)
        if body["status"] == status:
            return body
        time.sleep(0.1)
    pytest.fail(f"{url} never reached {status}: {body}")


def test_embedded_default_sends_campaigns_and_starts_scheduled_ones_after_a_restart(embedded_env, tmp_path):
    """Campaigns are written as .eml files; a campaign scheduled while the server was down is started by
    run_scheduler from the database (no Redis)."""
    manage(embedded_env, "migrate", "--noinput")
    key = manage(embedded_env, "create_account", "demo@example.com").stdout.strip().splitlines()[-1]
    port = free_port()
    base, home = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/accounts/demo@example.com"
    server = start_server(embedded_env, port)
    try:
        _, headers, _ = get(f"{home}/lists", key, b'{"name": "Smoke"}')
        list_id = int(headers["Location"].rsplit("/", 1)[1])
        for address in ("a@example.com", "b@example.com"):
            get(f"{base}{headers['Location']}/subscribers", key, json.dumps({"emailAddress": address}).encode())
        campaign = {
            "name": "Now",
            "subject": "Hi {{ emailAddress }}",
            "fromEmail": "news@example.com",
            "text": "Hello",
            "lists": [list_id],
        }
        _, headers, _ = get(f"{home}/campaigns", key, json.dumps(campaign).encode())
        now_url = base + headers["Location"]
        get(f"{now_url}/start", key, b"")
        assert wait_for_status(now_url, key, "sent")["stats"]["sent"] == 2
        # An A/B campaign (no wait): the split and the winner's release run on SQLite too.
        ab = {
            **campaign,
            "name": "A/B",
            "abTest": {"testShare": 50, "waitMinutes": 0, "variants": [{"subject": "One"}, {"subject": "Two"}]},
        }
        _, headers, _ = get(f"{home}/campaigns", key, json.dumps(ab).encode())
        ab_url = base + headers["Location"]
        get(f"{ab_url}/start", key, b"")
        done = wait_for_status(ab_url, key, "sent")
        assert done["stats"]["sent"] == 2 and done["abTest"]["winner"] == "A", done
        assert sorted(v["stats"]["sent"] for v in done["abTest"]["variants"]) == [1, 1]
        scheduled = {
            **campaign,
            "name": "Later",
            "scheduledAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3)),
        }
        _, headers, _ = get(f"{home}/campaigns", key, json.dumps(scheduled).encode())
        later_url = base + headers["Location"]
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 4
    time.sleep(3.5)  # its time passes while nothing runs: the in-process timer died with the server
    scheduler = subprocess.Popen(
        [sys.executable, "manage.py", "run_scheduler", "--interval", "0.5"],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = start_server(embedded_env, port)
    try:
        assert wait_for_status(later_url, key, "sent")["stats"]["sent"] == 2
    finally:
        for process in (server, scheduler):
            process.terminate()
            process.wait(timeout=10)
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 6


def make_run_key(env) -> str:
    """Start bin/run (`make run`), read the API key it prints, stop it."""
    run = subprocess.Popen(
        ["bin/run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        for line in run.stdout:
            if line.strip().startswith("API key:"):
                return line.split()[2]
        pytest.fail(f"bin/run printed no key (exit {run.wait()})")
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        try:
            run.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a signal that came while a child was starting
            os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=10)


def test_make_run_prints_the_same_key_at_every_start(embedded_env, tmp_path):
    embedded_env.update({"PORT": str(free_port()), "VENV": str(Path(sys.executable).parent.parent)})
    first = make_run_key(embedded_env)
    assert make_run_key(embedded_env) == first
    assert (tmp_path / "demo_api_key").read_text().strip() == first
    manage(embedded_env, "revoke_key", "demo@example.com", first[:8])
    renewed = make_run_key(embedded_env)
    assert renewed != first and (tmp_path / "demo_api_key").read_text().strip() == renewed
    listed = manage(embedded_env, "list_keys", "demo@example.com").stdout
    assert listed.count("active") == 1


@pytest.mark.parametrize(
    "script, overrides, name",
    [
        ("bin/run", {"DEBUG": "maybe"}, "DEBUG"),
        ("bin/run", {"DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere"}, "DATABASE_URL"),
        (
            "bin/serve",
            {"DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere", "SKIP_MIGRATIONS": "true"},
            "DATABASE_URL",
        ),
        ("bin/serve", {"DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere"}, "DATABASE_URL"),
    ],
)
def test_make_run_and_serve_stop_with_one_line_on_a_bad_setting_or_database(embedded_env, script, overrides, name):
    embedded_env.update({"VENV": str(Path(sys.executable).parent.parent), "REDIS_URL": "redis://127.0.0.1:9/0"})
    if script == "bin/run":
        del embedded_env["REDIS_URL"]
    embedded_env.update(overrides)
    result = subprocess.run([script], cwd=ROOT, env=embedded_env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], result.stderr
