"""A private PostgreSQL cluster, Redis server, app server and RQ workers, for tests that restart them.

The machine's PostgreSQL and Redis are shared (other test runs use them), so the fault tests never
touch them: this module starts its own cluster (`initdb` on a free port, as the `postgres` OS user
when running as root, since initdb refuses root) and its own `redis-server` (nothing on disk, like
the machine's: a restart loses every queued job). The app server (gunicorn) and the workers
(`manage.py rqworker`, the production worker class) are subprocesses pointed at them through
DATABASE_URL and REDIS_URL. The test process talks to the app over HTTP and reads the private
database with psycopg: nothing here goes through Django's test database.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.campaigns.smtp import free_port
from tests.helpers import wait_for

REPO = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the postgres OS user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on a free port (fsync off: a crash of the server, not of the machine).

    Commits stay synchronous: a commit the server acknowledged is in the WAL (the OS's page cache survives
    the server's crash), as in production. With ``synchronous_commit=off`` an immediate stop can lose a
    claim the sender already acted on, and the message would be sent again: a harness fault, not the code's.
    """

    def __init__(self, root: Path):
        self.data, self.socket_dir, self.log = root / "pgdata", root / "pgsock", root / "postgres.log"
        self.port = free_port()
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
            shutil.chown(self.socket_dir, "postgres")
        subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync"]),
            check=True,
            capture_output=True,
        )

    def url(self, database: str = "emailapi") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), *args]),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        self._ctl("-o", options, "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` is a crash (recovery from the WAL at start); ``fast`` a clean shutdown."""
        self._ctl("-m", mode, "-w", "stop")

    def restart(self, *, down: float, mode: str = "immediate") -> None:
        self.stop(mode)
        time.sleep(down)
        self.start()

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def rows(self, sql: str, params=None) -> list[tuple]:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def value(self, sql: str, params=None):
        return self.rows(sql, params)[0][0]


class PrivateRedis:
    """redis-server on a free port keeping nothing on disk: stopped, it comes back empty."""

    def __init__(self, root: Path):
        self.root, self.port, self.process = root, free_port(), None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        with open(self.root / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.root),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self._answers, "redis-server to answer", timeout=15)

    def _answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        """SIGKILL: a crash; whatever it held is gone."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self, *, down: float) -> None:
        self.stop()
        time.sleep(down)
        self.start()


class Http:
    """JSON over HTTP to the app server, authenticated with one account's key."""

    def __init__(self, base: str, key: str = ""):
        self.base, self.key = base, key

    def call(self, method: str, path: str, body=None, content_type="application/json") -> tuple[int, dict]:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if self.key:
            request.add_header("Authorization", f"Bearer {self.key}")
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw, headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, headers = error.code, error.read(), error.headers
        body = json.loads(raw) if raw and "json" in headers.get("Content-Type", "") else {}
        if headers.get("Location"):
            body = {**body, "__location": headers["Location"]}
        return status, body

    def get(self, path: str) -> dict:
        status, body = self.call("GET", path)
        assert status == 200, (path, status, body)
        return body

    def post(self, path: str, body=None, expect: int = 200, **options) -> dict:
        status, answer = self.call("POST", path, {} if body is None else body, **options)
        assert status == expect, (path, status, answer)
        return answer


def _log_tail(path: Path, chars: int = 4000) -> str:
    if not path.exists():
        return ""
    routine = ("Job OK", "result is kept", "Successfully completed", "sweep_stale_tasks")
    lines = [line for line in path.read_text(errors="replace").splitlines() if not any(r in line for r in routine)]
    return f"--- {path.name}\n" + "\n".join(lines)[-chars:]


class Stack:
    """The private services, the migrated database and the app server; workers are started per test."""

    def __init__(self, root: Path):
        self.root = root
        self.postgres, self.redis = PrivatePostgres(root), PrivateRedis(root)
        self.http_port, self.server, self.workers = free_port(), None, []

    def env(self, **overrides) -> dict:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("EMAIL_", "CAMPAIGN_", "SEND_", "TASK_", "IMPORT_", "DATABASE_", "REDIS_"))
        }
        env.update(
            {
                "DATABASE_URL": self.postgres.url(),
                "REDIS_URL": self.redis.url(),
                "SECRET_KEY": "faults-secret-key-long-enough-for-django-checks-0123456789",
                "DEBUG": "false",
                "LOG_LEVEL": "WARNING",
                "TASK_STALE_AFTER_SECONDS": "2",
                "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.http_port}",
                "API_RATE_LIMIT_PER_MINUTE": "100000",
            }
        )
        env.update({name: str(value) for name, value in overrides.items()})
        return env

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO, env=self.env(), capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start(self) -> None:
        self.postgres.start()
        self.postgres.create_database("emailapi")
        self.redis.start()
        self.manage("migrate", "--noinput")
        with open(self.root / "server.log", "ab") as log:
            # The server's settings matter where it enqueues (CAMPAIGN_SENDERS) and judges staleness (start).
            self.server = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "config.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.http_port}",
                    "--workers",
                    "2",
                    "--timeout",
                    "60",
                ],
                cwd=REPO,
                env=self.env(CAMPAIGN_SENDERS=2),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(lambda: self._serves(), "the app server", timeout=30, logs=self.logs)

    def _serves(self) -> bool:
        try:
            return Http(f"http://127.0.0.1:{self.http_port}").call("GET", "/")[0] == 200
        except OSError:
            return False

    def account(self, name: str) -> Http:
        """A new account and an HTTP client with its key."""
        key = self.manage("create_account", name).strip().splitlines()[-1]
        return Http(f"http://127.0.0.1:{self.http_port}", key)

    def start_worker(self, *, worker_class: str = "", **env) -> subprocess.Popen:
        """`manage.py rqworker` on every queue with RQ's scheduler, as `make run` starts it, under a supervisor
        that starts it again when it exits (an RQ worker busy when Redis goes away quits), as production's does.
        ``worker_class``: another RQ worker class than the settings' (``rq.SimpleWorker`` runs jobs in the
        worker's own process)."""
        command = f"{sys.executable} manage.py rqworker default imports sending callbacks webhooks --with-scheduler"
        if worker_class:
            command += f" --worker-class {worker_class}"
        with open(self.root / f"worker{len(self.workers) + 1}.log", "ab") as log:
            process = subprocess.Popen(
                [
                    "bash",
                    "-c",
                    f'while :; do {command}; echo "supervisor: worker exited ($?), starting it again"; sleep 1; done',
                ],
                cwd=REPO,
                env=self.env(**env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.workers.append(process)
        return process

    def stop_workers(self) -> None:
        """SIGTERM each worker's group (the job horse and the scheduler too), SIGKILL what is left."""
        for sig, grace in ((signal.SIGTERM, 8), (signal.SIGKILL, 5)):
            for process in self.workers:
                _signal_group(process, sig)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and any(_signal_group(p, 0) for p in self.workers):
                time.sleep(0.05)
        for process in self.workers:
            process.wait(timeout=10)
        self.workers = []

    def flush_jobs(self) -> None:
        """Between tests: no job, schedule or lock of an earlier test (this Redis is ours alone)."""
        import redis

        redis.Redis(port=self.redis.port).flushall()

    def ensure_running(self) -> None:
        """After a test that failed mid-restart: both services up again for the next one."""
        if self.redis.process.poll() is not None:
            self.redis.start()
        status = subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.postgres.data), "status"]), capture_output=True
        )
        if status.returncode != 0:
            self.postgres.start()

    def logs(self) -> str:
        """The end of each log; the workers' without RQ's line per successful job."""
        return "\n".join(_log_tail(path) for path in sorted(self.root.glob("*.log")))

    def stop(self) -> None:
        if self.workers:
            self.stop_workers()
        if self.server:
            _signal_group(self.server, signal.SIGTERM)
            self.server.wait(timeout=15)
        self.redis.stop()
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.postgres.stop("immediate")


def _signal_group(process, sig) -> bool:
    """Send ``sig`` to the process's group; False when the group is gone."""
    process.poll()
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="session")
def stack():
    root = Path(tempfile.mkdtemp(prefix="emailapi-faults-"))
    os.chmod(root, 0o755)
    private = Stack(root)
    try:
        private.start()
        yield private
    finally:
        private.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def services(stack):
    """The stack, with no worker and no job left from an earlier test."""
    stack.flush_jobs()
    yield stack
    stack.stop_workers()
    stack.ensure_running()
    stack.flush_jobs()
