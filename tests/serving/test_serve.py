"""`bin/serve` (`make serve`) end to end: gunicorn and RQ workers under one supervisor, stopped by SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_account

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url: str, *, key: str | None = None, data: dict | None = None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    body = None
    if data is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(data).encode()
    request = urllib.request.Request(url, headers=headers, data=body)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


def process_groups_alive(groups: set[int]) -> list[str]:
    """Processes (any, in any of ``groups``) still running: ``pid cmdline``."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z" and int(fields[2]) in groups:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                alive.append(f"{entry.name} {command}")
        except (OSError, ValueError):
            continue
    return alive


def database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"  # the test database


def test_serve_runs_web_and_workers_and_stops_them_all(transactional_db):
    owner = make_account("serve@example.com")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PORT": str(port),
        "GUNICORN_WORKERS": "2",
        "RQ_WORKERS": "2",
        "SERVE_STOP_TIMEOUT": "20",
        "SECRET_KEY": settings.SECRET_KEY,
    }
    env.pop("LOG_FORMAT", None)  # JSON is bin/serve's default
    server = subprocess.Popen(
        [str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                status, _, body = call(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.2)
        else:
            pytest.fail("bin/serve did not answer /healthz")
        assert (status, body["status"]) == (200, "ok")
        status, headers, body = call(f"{base}/readyz")
        assert (status, body["checks"]) == (200, {"database": "ok", "redis": "ok"})

        # A real request, with the key in the query string, and a job the RQ workers must run.
        status, headers, body = call(
            f"{base}/accounts/{owner.name}/lists?access_token={owner.key}", data={"name": "Served"}
        )
        assert status == 201, body
        list_id = headers["Location"].rstrip("/").rsplit("/", 1)[1]
        status, headers, _ = call(
            f"{base}/accounts/{owner.name}/lists/{list_id}/subscribers/import",
            key=owner.key,
            data={"items": [{"emailAddress": "a@example.com"}, {"emailAddress": "b@example.com"}]},
        )
        assert status == 202
        task_url = base + headers["Location"]
        deadline = time.monotonic() + 60
        while (task := call(task_url, key=owner.key)[2])["status"] != "done":
            assert time.monotonic() < deadline, task
            time.sleep(0.3)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)

    assert server.returncode == 0, output[-3000:]
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    started = {line["child"]: line["pid"] for line in lines if line["message"].startswith("started ")}
    assert set(started) == {"web", "worker-1", "worker-2", "callback-worker-1"}
    assert lines[-1]["message"] == "stopped"
    assert process_groups_alive(set(started.values())) == []  # gunicorn's workers and RQ's job processes too

    requests = [line for line in lines if line["logger"] == "api.requests"]
    created = next(line for line in requests if line["method"] == "POST" and line["path"].endswith("/lists"))
    assert created["status"] == 201 and created["account"] == owner.name and created["request_id"]
    assert created["query"] == "access_token=[redacted]"
    assert owner.key not in output
    assert any(line["logger"] == "rq.worker" for line in lines)


def test_serve_refuses_to_start_without_its_services(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr and "REDIS_URL" in result.stderr


def test_a_killed_worker_is_started_again_and_everything_stops_on_sigterm(db):
    env = {**os.environ, "SERVE_WEB": "false", "RQ_WORKERS": "1", "SKIP_MIGRATIONS": "true", "SERVE_STOP_TIMEOUT": "20"}
    env["DATABASE_URL"] = database_url()  # bin/serve connects to it before starting anything
    server = subprocess.Popen(
        [str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    try:
        while not any(line.get("message") == "started worker-1" for line in lines):
            raw = server.stdout.readline()
            assert raw, "bin/serve stopped before starting its worker"
            if raw.startswith("{"):
                lines.append(json.loads(raw))
        first = next(line["pid"] for line in lines if line.get("message") == "started worker-1")
        time.sleep(1)
        os.kill(first, signal.SIGKILL)
        while sum(line.get("message") == "started worker-1" for line in lines) < 2:
            raw = server.stdout.readline()
            assert raw, "bin/serve stopped instead of restarting its worker"
            if raw.startswith("{"):
                lines.append(json.loads(raw))
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    lines += [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert server.returncode == 0
    died = next(line for line in lines if line["logger"] == "serve" and line["message"].startswith("worker-1 exited"))
    assert died["exit_code"] == -signal.SIGKILL and died["pid"] == first
    pids = {line["pid"] for line in lines if line["logger"] == "serve" and line["message"] == "started worker-1"}
    assert len(pids) == 2
    assert process_groups_alive(pids) == []
    assert lines[-1]["message"] == "stopped"
