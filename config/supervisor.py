"""`make serve`'s process supervisor: gunicorn and RQ_WORKERS RQ workers, stopped together.

Each child runs in its own session, so a terminal's Ctrl-C reaches only this process, which then
stops every child gracefully (SIGTERM: gunicorn finishes its requests, an RQ worker its job) and,
after SERVE_STOP_TIMEOUT seconds, kills what is left with its process group. A child that exits on
its own is started again (after 1 s, doubling up to 30 s while it keeps failing at once), once what it
left in its process group (RQ's scheduler process, a job's work horse) is killed.
Run by bin/serve after the migrations; see README, "Deployment".
"""

import contextlib
import logging
import logging.config
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from api.logs import logging_config

ROOT = Path(__file__).resolve().parent.parent
WORK_QUEUES = ("default", "imports", "sending")  # settings.RQ_QUEUES but callbacks and webhooks
CALLBACK_QUEUES = ("callbacks", "webhooks")  # a receiver that answers slowly holds only callback workers
logger = logging.getLogger("serve")


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff: float = 1.0
    restart_at: float | None = None
    pids: list[int] = field(default_factory=list)

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, cwd=ROOT, start_new_session=True)
        self.started_at, self.restart_at = time.monotonic(), None
        self.pids.append(self.process.pid)
        logger.info("started %s", self.name, extra={"child": self.name, "pid": self.process.pid})

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int, *, group: bool = False) -> None:
        if not self.running():
            return
        try:
            if group:
                os.killpg(self.process.pid, signum)
            else:
                self.process.send_signal(signum)
        except ProcessLookupError:
            pass


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise SystemExit(f"{name} must be an integer of at least {minimum}, got {raw!r}")
    return int(raw)


def _env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        raise SystemExit(f"{name} must be true or false, got {raw!r}")
    return raw in {"1", "true", "yes", "on"}


def children() -> list[Child]:
    """gunicorn (unless SERVE_WEB=false) and RQ_WORKERS workers (0: a web-only machine)."""
    python = sys.executable
    web = (
        [
            Child(
                "web",
                [
                    str(Path(python).with_name("gunicorn")),
                    "config.wsgi:application",
                    "-c",
                    str(ROOT / "config" / "gunicorn.conf.py"),
                ],
            )
        ]
        if _env_flag("SERVE_WEB", True)
        else []
    )
    # Every worker runs RQ's scheduler: one holds its lock at a time, another takes over if it dies.
    workers = [
        Child(f"worker-{n}", [python, "manage.py", "rqworker", *WORK_QUEUES, "--with-scheduler"])
        for n in range(1, _env_int("RQ_WORKERS", 2, minimum=0) + 1)
    ]
    if workers:  # callbacks and webhooks wait out slow receivers on workers of their own
        workers += [
            Child(f"callback-worker-{n}", [python, "manage.py", "rqworker", *CALLBACK_QUEUES, "--with-scheduler"])
            for n in range(1, _env_int("RQ_CALLBACK_WORKERS", 1, minimum=0) + 1)
        ]
    if not web and not workers:
        raise SystemExit("Nothing to run: SERVE_WEB=false and RQ_WORKERS=0.")
    return [*web, *workers]


def _kill_group(pgid: int) -> None:
    """SIGKILL what is left of a child's session (its process group outlives the leader's exit)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class Supervisor:
    def __init__(self, processes: list[Child], stop_timeout: float):
        self.processes = processes
        self.stop_timeout = stop_timeout
        self.stopping = False

    def request_stop(self, signum, frame) -> None:
        if not self.stopping:
            logger.info("stopping on %s", signal.Signals(signum).name)
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        for child in self.processes:
            child.start()
        while not self.stopping:
            self._watch()
            time.sleep(0.2)
        return self._stop_all()

    def _watch(self) -> None:
        now = time.monotonic()
        for child in self.processes:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.start()
                continue
            code = child.process.poll()
            if code is None:
                continue
            # What it left behind (RQ's scheduler process, a job's work horse) goes with it, before a new one starts.
            _kill_group(child.process.pid)
            # Quick deaths back off; a child that ran a while restarts after 1 s.
            child.backoff = min(child.backoff * 2, 30.0) if now - child.started_at < 10 else 1.0
            child.restart_at = now + child.backoff
            logger.error(
                "%s exited with %s; restarting in %.0f s",
                child.name,
                code,
                child.backoff,
                extra={"child": child.name, "pid": child.process.pid, "exit_code": code},
            )

    def _stop_all(self) -> int:
        for child in self.processes:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while any(child.running() for child in self.processes) and time.monotonic() < deadline:
            time.sleep(0.1)
        for child in self.processes:
            if child.running():
                logger.warning(
                    "%s did not stop in %.0f s: killed",
                    child.name,
                    self.stop_timeout,
                    extra={"child": child.name, "pid": child.process.pid},
                )
            # The group too: a worker's job process or a gunicorn worker must not outlive it.
            child.signal(signal.SIGKILL, group=True)
            if child.process is not None:
                child.process.wait()
                _kill_group(child.process.pid)
        logger.info("stopped")
        return 0


def main() -> int:
    logging.config.dictConfig(logging_config(os.environ.get("LOG_FORMAT", "json"), os.environ.get("LOG_LEVEL", "INFO")))
    stop_timeout = float(_env_int("SERVE_STOP_TIMEOUT", 30))
    return Supervisor(children(), stop_timeout).run()


if __name__ == "__main__":
    sys.exit(main())
