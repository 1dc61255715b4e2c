"""What a job costs in each RQ worker mode: single emails delivered by `manage.py rqworker` (RQ_WORKER_MODE
fork, then inline, twice each, alternated), beside the floor: the same deliveries called in this process.

Each round queues N single emails through `email_send` (as POST /api/v1/emails/send does), runs one worker in
burst mode against a local SMTP sink, and checks every email ended `sent`. It prints the wall time, the
jobs per second, and the machine's CPU per job (from /proc/stat: the worker, PostgreSQL and the SMTP sink
together, so run it on an otherwise idle machine).

    bin/with-test-env .venv/bin/python bench/job_overhead.py [--jobs 300]

Database `emailapi_jobs`, Redis database 12 of REDIS_URL's server. Not part of `make test`; figures in
docs/benchmarks.md ("Load").
"""

import sys

# bench/collections.py shadows the standard library's `collections`: look in bench/ last.
sys.path.append(sys.path.pop(0))

import argparse
import os
import socket
import subprocess
import time

from common import ROOT, setup_django

HZ = os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / HZ  # all but idle and iowait


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300)
    args = parser.parse_args()
    smtp_port = free_port()
    os.environ.update(
        {
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)[0] + "/12",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    setup_django("emailapi_jobs")
    from django.db import connections, transaction

    from accounts.services import account_get_or_create
    from campaigns.models import Message, MessageStatus
    from emails.jobs import deliver_single_email
    from emails.services import email_send
    from subscribers.emails import normalize_email
    from tasks.queue import rq_queue

    account, _ = account_get_or_create(name="jobs@bench.example")
    sender = normalize_email("bench@bench.example")
    queue = rq_queue("sending")

    def queue_emails(n: int) -> list[int]:
        ids = []
        with transaction.atomic():
            for i in range(n):
                to = normalize_email(f"r{time.monotonic_ns()}.{i}@sink.example")
                ids.append(
                    email_send(
                        account=account,
                        to=to,
                        subject="Hi",
                        html="",
                        text="Hello {{ name }}",
                        from_name="Bench",
                        from_email=sender,
                        reply_to=None,
                        values={"name": "you"},
                    ).pk
                )
        return ids

    def check_sent(ids: list[int]) -> None:
        sent = Message.objects.filter(pk__in=ids, status=MessageStatus.SENT).count()
        if sent != len(ids):
            raise SystemExit(f"only {sent} of {len(ids)} emails were sent")

    def row(name: str, seconds: float, cpu: float, n: int) -> None:
        print(f"{name:34} {seconds:8.2f} {n / seconds:8.1f} {cpu * 1000 / n:12.1f}")

    smtp = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1)
        queue.empty()
        print(f"{args.jobs} single emails per round")
        print(f"{'':34} {'wall s':>8} {'jobs/s':>8} {'CPU ms/job':>12}")
        ids = queue_emails(args.jobs)
        queue.empty()
        connections.close_all()
        cpu, started = busy_seconds(), time.perf_counter()
        for message_id in ids:
            deliver_single_email(message_id)
        row("floor: delivered in this process", time.perf_counter() - started, busy_seconds() - cpu, args.jobs)
        check_sent(ids)
        for mode in ("fork", "inline", "fork", "inline"):
            ids = queue_emails(args.jobs)
            connections.close_all()
            env = {**os.environ, "RQ_WORKER_MODE": mode}
            cpu, started = busy_seconds(), time.perf_counter()
            subprocess.run(
                [sys.executable, "manage.py", "rqworker", "sending", "--burst"],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            row(f"rqworker, RQ_WORKER_MODE={mode}", time.perf_counter() - started, busy_seconds() - cpu, args.jobs)
            check_sent(ids)
    finally:
        smtp.terminate()
        smtp.wait()


if __name__ == "__main__":
    main()
