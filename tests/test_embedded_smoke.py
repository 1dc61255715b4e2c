"""`make run`'s embedded default, end to end: SQLite file, in-process jobs, a live server."""
import json
import os
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
    env.update({"VAR_DIR": str(tmp_path), "SECRET_KEY": "smoke", "DEBUG": "0",
                "DJANGO_SETTINGS_MODULE": "config.settings"})
    return env


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)


def get(url, key=None, data=None, content_type="application/json"):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if data is not None:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, headers=headers, data=data)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.headers, json.loads(response.read())


def test_embedded_default_serves_root_and_account_index(embedded_env, tmp_path):
    manage(embedded_env, "migrate", "--noinput")
    assert (tmp_path / "db.sqlite3").exists()
    key = manage(embedded_env, "create_account", "demo@example.com").stdout.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                              cwd=ROOT, env=embedded_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, headers, body = get(base + "/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start")
        assert status == 200 and body["message"].startswith("Welcome")
        assert "profile=/schemas/message" in headers["Content-Type"]
        status, _, body = get(f"{base}/accounts/demo@example.com", key)
        assert status == 200
        assert any("/rels/account-home" in item["rel"] for item in body["_links"])
        # An import runs as an in-process job (no Redis) and writes through the ORM (SQLite).
        status, headers, _ = get(f"{base}/accounts/demo@example.com/lists", key, b'{"name": "Smoke"}')
        list_url = base + headers["Location"]
        status, headers, _ = get(f"{list_url}/subscribers/import", key,
                                 b"email,firstName\na@example.com,Ann\nbad,Bob\na@example.com,Dup\n", "text/csv")
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
