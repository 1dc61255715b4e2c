"""Send a campaign to 100,000 subscribers with two workers, beside a raw smtplib floor.

Builds (with COPY, in a fresh database) an account with 100,000 subscribers in one
list, each with two merge fields (firstName, lastName); starts Postfix's `smtp-sink`
on loopback and two `manage.py rqworker sending` processes (CAMPAIGN_SENDERS=2);
creates a campaign with tracked links and merge tags in the subject, HTML and text,
starts it and samples the task's progress until the campaign is sent. Then checks
every message was delivered (the sink's counter and the Message rows, all `sent`),
and measures on the same sink: the floor, a raw `smtplib` loop sending one pre-built
message of the campaign over one connection (and two such loops in parallel), and
the SMTP leg alone, the campaigns' pipelined transport with the same pre-built bytes.
CPU per message comes from /proc: the workers (and their forked job processes), the
PostgreSQL backends of the benchmark's database, smtp-sink, and the whole machine.

    bin/with-test-env .venv/bin/python bench/send.py [--subscribers N] [--workers N] [--batch-size N]
                                                     [--connections N] [--floor-messages N] [--profile DIR]

`--embedded`: the same campaign on the embedded default (SQLite, jobs in-process; bench/send_embedded.py), beside
the smtplib floor.

`--webhook`: the account has a webhook listening to email.delivered, so every batch also writes its messages'
events to the outbox (nothing is delivered: the cost measured is the outbox's).

Needs `smtp-sink` (Debian: apt-get install postfix); installed when missing if run as root.
Uses the database emailapi_bench_send (dropped and created again) and Redis db 11 (--database, --redis-url: others).
"""

import sys

sys.path.append(sys.path.pop(0))  # bench/collections.py would shadow the standard library's `collections`

import argparse
import contextlib
import multiprocessing
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from common import ROOT, fill_list

# Another run on the same machine (another worktree) may set its own: BENCH_SEND_DATABASE, BENCH_SEND_REDIS_URL.
DATABASE = os.environ.get("BENCH_SEND_DATABASE", "emailapi_bench_send")
REDIS_URL = os.environ.get("BENCH_SEND_REDIS_URL", "redis://127.0.0.1:6379/11")
ACCOUNT = "bench-send@example.com"
FROM_EMAIL = "news@bench.example.com"
INSTALL = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postfix"

SUBJECT = "{{ firstName | Friend }}, the spring collection is here"
TEXT = """Hello {{ firstName | friend }} {{ lastName }},

The spring collection is here: new colours, new cuts and the classics restocked.
Shop it at https://shop.example.com/spring before the weekend.

- Linen shirts from 39 EUR
- Canvas shoes, eight colours
- Free returns for 60 days

See you soon,
The Example Shop team

This message was sent to {{ emailAddress }}. Unsubscribe: {{ unsubscribeUrl }}
"""
PRODUCT = """  <tr><td style="padding:12px;border-bottom:1px solid #eee">
    <a href="https://shop.example.com/p/{n}?utm_source=newsletter&amp;utm_campaign=spring"><img
       src="https://cdn.example.com/p/{n}.jpg" width="120" height="120" alt="Product {n}"></a>
    <h3 style="font-family:Helvetica,Arial,sans-serif;font-size:16px;margin:8px 0">Product {n}</h3>
    <p style="font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#555">A short description of
      product {n}, what it is made of and why {{{{ firstName | you }}}} will like it.</p>
  </td></tr>
"""
HTML = (
    """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Spring collection</title></head>
<body style="margin:0;padding:0;background:#f4f4f4">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;margin:auto">
  <tr><td style="padding:24px;font-family:Helvetica,Arial,sans-serif">
    <h1 style="font-size:24px">Hello {{ firstName | friend }} {{ lastName }},</h1>
    <p>The spring collection is here: new colours, new cuts and the classics restocked.
       <a href="https://shop.example.com/spring?utm_source=newsletter">Shop the collection</a>.</p>
  </td></tr>
"""
    + "".join(PRODUCT.format(n=n) for n in range(1, 7))
    + """  <tr><td style="padding:24px;font-size:12px;color:#888">
    Sent to {{ emailAddress }} &middot; <a href="https://shop.example.com/account">Your account</a>
    &middot; <a href="{{ unsubscribeUrl }}">Unsubscribe</a>
  </td></tr>
</table>
</body></html>
"""
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_sink_path() -> str:
    found = shutil.which("smtp-sink") or (os.path.exists("/usr/sbin/smtp-sink") and "/usr/sbin/smtp-sink")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit(f"smtp-sink (Postfix) is missing; install it with:\n  sudo sh -c '{INSTALL}'")
    print(f"smtp-sink is missing; running: {INSTALL}")
    subprocess.run(INSTALL, shell=True, check=True, stdout=subprocess.DEVNULL)
    return shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"


class Sink:
    """Postfix's smtp-sink on loopback: takes every message, keeps none, counts them (-c)."""

    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.process = subprocess.Popen(
            [smtp_sink_path(), "-c", *user, f"127.0.0.1:{port}", "256"], stdout=log.open("wb"), stderr=subprocess.STDOUT
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("smtp-sink did not start")

    def messages(self) -> int:
        """Messages received so far (the sink prints its counters as "… mesg=N" after each one)."""
        counts = re.findall(rb"mesg=(\d+)", self.log.read_bytes())
        return int(counts[-1]) if counts else 0

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def fresh_database(base: str, name: str = DATABASE) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def build(subscribers: int):
    """The account, its list and ``subscribers`` active members with firstName and lastName, by COPY."""
    from accounts.services import account_get_or_create
    from lists.models import MailingList
    from lists.services import list_create

    account, _ = account_get_or_create(name=ACCOUNT)
    mailing_list = list_create(account=account, name="Everyone")
    fill_list(
        account,
        mailing_list,
        range(subscribers),
        "subscriber{}@bench-send.example",
        lambda i: {"firstName": f"First{i}", "lastName": f"Last{i}"},
    )
    return account, MailingList.objects.get(pk=mailing_list.pk)


class Workers:
    """``manage.py rqworker sending`` processes, each in its own process group."""

    def __init__(self, env: dict, count: int, log_dir: Path, profile_dir: Path | None):
        self.processes, self.burst = [], bool(profile_dir)
        for n in range(count):
            command = [sys.executable, "manage.py", "rqworker", "sending"]
            if profile_dir:  # in-process jobs, and an exit (--burst) that writes the profile
                command = [
                    sys.executable,
                    "-m",
                    "cProfile",
                    "-o",
                    str(profile_dir / f"worker{n + 1}.prof"),
                    *command[1:],
                    "--burst",
                    "--worker-class",
                    "rq.SimpleWorker",
                ]
            self.processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    start_new_session=True,
                    stdout=(log_dir / f"worker{n + 1}.log").open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )

    def cpu(self) -> float:
        return sum(process_cpu(process.pid) for process in self.processes)

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) among the workers (jobs run in the worker process: inline mode)."""
        peaks = []
        for process in self.processes:
            with contextlib.suppress(OSError):
                lines = Path(f"/proc/{process.pid}/status").read_text().splitlines()
                peaks.extend(int(line.split()[1]) / 1024 for line in lines if line.startswith("VmHWM:"))
        return max(peaks, default=float("nan"))

    def wait_idle(self, queue):
        """Until each worker has finished its job (its forked child has ended and been counted)."""
        from rq import Worker

        deadline = time.monotonic() + 60
        while any(worker.get_state() != "idle" for worker in Worker.all(queue=queue)):
            if self.burst or time.monotonic() > deadline:
                return
            time.sleep(0.05)

    def wait_registered(self, queue, count: int):
        from rq import Worker

        deadline = time.monotonic() + 60
        while len(Worker.all(queue=queue)) < count:
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not start")
            time.sleep(0.1)

    def stop(self):
        for process in self.processes if self.burst else ():  # they end when the queue is empty
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=60)
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds of a process and of its children that ended (an rq worker's job runs in a forked child)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / TICKS


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy (all processes, this benchmark's and others')."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICKS


class CpuMeter:
    """CPU spent by the whole machine and by the PostgreSQL backends of the benchmark's database."""

    def __init__(self):
        self.busy, self.backends = machine_busy(), {}
        self.backends_before = dict(self._backends())

    def _backends(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return [(pid, process_cpu(pid)) for (pid,) in cursor.fetchall()]

    def sample(self):
        """Backends end with their connection: keep the last reading of each."""
        self.backends.update(self._backends())

    def result(self) -> dict:
        postgres = sum(cpu - self.backends_before.get(pid, 0.0) for pid, cpu in self.backends.items())
        return {"machine": machine_busy() - self.busy, "postgres": postgres}


def verify_domain(account):
    """The sender's domain added and verified against a loopback DNS server (the tests' own), as an account
    does it: the workers then sign every message (domains.selectors.signer_for)."""
    from django.conf import settings

    from domains.services import domain_create, domain_verify
    from tests.domains.dns_server import DnsServer

    server = DnsServer().start()
    settings.DNS_NAMESERVERS, settings.DNS_PORT = ["127.0.0.1"], server.port
    domain = domain_create(account=account, name=FROM_EMAIL.rpartition("@")[2])
    server.txt[f"{domain.selector}._domainkey.{domain.name}"] = [f"v=DKIM1; k=rsa; p={domain.public_key}"]
    domain = domain_verify(domain=domain)
    server.stop()
    assert domain.status == "verified", domain.checks
    print(f"sending domain {domain.name} verified: every message DKIM-signed (selector {domain.selector})")


def listen(account):
    """A webhook of the account listening to email.delivered (and opens and clicks): each batch writes its messages'
    events to the outbox in its transaction. Nothing is delivered (no worker takes the webhooks queue): what is
    measured is what the outbox costs a send."""
    from webhooks.services import webhook_create

    webhook_create(
        account=account,
        url="https://hooks.bench.invalid/email",
        event_types=["email.delivered", "email.bounced", "email.opened", "email.clicked"],
    )
    print("webhook listening to email.delivered: every message sent writes an outbox event")


def campaign_create_spring(account, mailing_list):
    """The benchmark's campaign to ``mailing_list``: merge tags in the subject, HTML and text, tracked links."""
    from campaigns.services import campaign_create

    return campaign_create(
        account=account,
        data={
            "name": "Spring",
            "subject": SUBJECT,
            "from_name": "Example Shop",
            "from_email": FROM_EMAIL,
            "reply_to": "",
            "preheader": "New colours, new cuts",
            "html": HTML,
            "text": TEXT,
            "lists": [mailing_list.pk],
        },
    )


def campaign_start_now(campaign) -> None:
    from django.db import transaction

    from campaigns.services import campaign_start

    with transaction.atomic():
        campaign_start(campaign=campaign)


def send_campaign(account, mailing_list, start_workers, expected: int):
    """Create and start the campaign; sample the task's progress until it is sent.

    Returns (seconds from start to sent, samples [(seconds, processed)], campaign, CPU seconds by whom).
    """
    from campaigns.models import Campaign
    from tasks.models import Task

    campaign = campaign_create_spring(account, mailing_list)
    meter = CpuMeter()
    started = time.perf_counter()
    campaign_start_now(campaign)
    if start_workers:
        start_workers()
    task_id = Campaign.objects.get(pk=campaign.pk).task_id
    samples = []
    while True:
        task = Task.objects.get(pk=task_id)
        samples.append((time.perf_counter() - started, task.processed))
        meter.sample()
        if task.status not in ("queued", "in-progress"):
            break
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    cpu = meter.result()
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert task.status == "done" and campaign.status == "sent", (task.status, task.errors, campaign.status)
    assert task.processed == expected, (task.processed, expected)
    return seconds, samples, campaign, cpu


def sustained(samples, total: int) -> tuple[float, float, float]:
    """Messages/s between the samples at 10 % and 90 % of the messages sent (the steady part)."""
    low = next((t, n) for t, n in samples if n >= total * 0.1)
    high = next((t, n) for t, n in samples if n >= total * 0.9)
    return (high[1] - low[1]) / (high[0] - low[0]), low[0], high[0]


def smtplib_loop(port: int, data: bytes, count: int, offset: int = 0) -> float:
    """The floor: one connection, smtplib's sendmail of pre-built bytes, one message per recipient."""
    connection = smtplib.SMTP("127.0.0.1", port)
    connection.ehlo()
    started = time.perf_counter()
    for i in range(offset, offset + count):
        connection.sendmail(FROM_EMAIL, [f"subscriber{i}@bench-send.example"], data)
    seconds = time.perf_counter() - started
    connection.quit()
    return seconds


def pipelined_loop(port: int, data: bytes, count: int, offset: int = 0) -> float:
    """The SMTP leg alone: the campaigns' transport (PIPELINING, one round trip a message) with pre-built bytes."""
    from campaigns.transport import SmtpTransport

    transport, outcomes = SmtpTransport(host="127.0.0.1", port=port), []
    started = time.perf_counter()
    transport.send_many(
        FROM_EMAIL, ((f"subscriber{i}@bench-send.example", data) for i in range(offset, offset + count)), outcomes
    )
    seconds = time.perf_counter() - started
    transport.close()
    assert {outcome.kind for outcome in outcomes} == {"sent"}, outcomes[:3]
    return seconds


def _loop_in_child(args):
    loop, *rest = args
    return loop(*rest)


def floors(port: int, data: bytes, count: int) -> dict:
    """Messages/s of each loop, on one connection and two in parallel (two processes)."""
    rates = {}
    for name, loop in (("smtplib", smtplib_loop), ("pipelined", pipelined_loop)):
        rates[name, 1] = count / loop(port, data, count)
        with multiprocessing.get_context("fork").Pool(2) as pool:
            started = time.perf_counter()
            pool.map(
                _loop_in_child, [(loop, port, data, count // 2, 0), (loop, port, data, count - count // 2, count // 2)]
            )
            rates[name, 2] = count / (time.perf_counter() - started)
    return rates


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes, and CAMPAIGN_SENDERS")
    parser.add_argument("--batch-size", type=int, help="CAMPAIGN_BATCH_SIZE (default: the setting's)")
    parser.add_argument("--connections", type=int, help="SMTP_CONNECTIONS per sender (default: the setting's)")
    parser.add_argument("--floor-messages", type=int, default=50_000)
    parser.add_argument("--profile", type=Path, help="directory for cProfile output of each worker")
    parser.add_argument("--database", default=DATABASE, help="the benchmark's database (dropped and made again)")
    parser.add_argument("--redis-url", default=REDIS_URL, help="the benchmark's Redis database (emptied)")
    parser.add_argument(
        "--dkim", action="store_true", help="send from a verified sending domain: every message DKIM-signed"
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="the account has a webhook listening to email.delivered: every message writes an outbox event",
    )
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="the embedded default: SQLite and in-process jobs in this process (bench/send_embedded.py)",
    )
    args = parser.parse_args()
    if args.embedded:
        from send_embedded import main_embedded

        main_embedded(args, sys.modules[__name__])
        return

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    database_url = fresh_database(base, args.database)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": "bench-secret-key-long-enough-for-django-checks-0123456789",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "PUBLIC_BASE_URL": "https://mail.bench.example",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "CAMPAIGN_SENDERS": str(args.workers),
        "LOG_LEVEL": "WARNING",
    }
    if args.batch_size:
        env["CAMPAIGN_BATCH_SIZE"] = str(args.batch_size)
    if args.connections:
        env["SMTP_CONNECTIONS"] = str(args.connections)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    import django_rq
    from django.conf import settings
    from django.db.models import Count

    from campaigns.models import Message
    from campaigns.sending import Sender

    django_rq.get_connection("sending").flushdb()  # the benchmark's Redis database (db 11 by default) is its own
    queue = django_rq.get_queue("sending")

    started = time.perf_counter()
    account, mailing_list = build(args.subscribers)
    print(f"built {args.subscribers:,} subscribers in {time.perf_counter() - started:.1f} s")
    if args.dkim:
        verify_domain(account)
    if args.webhook:
        listen(account)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
        sink, workers = Sink(port, tmp / "sink.log"), []
        try:
            start_later = None
            if args.profile:  # after the jobs are queued: --burst workers end when the queue is empty

                def start_later():
                    workers.append(Workers(env, args.workers, tmp, args.profile))
            else:  # started first, and waited for
                workers.append(Workers(env, args.workers, tmp, None))
                workers[0].wait_registered(queue, args.workers)
            workers_cpu, sink_cpu = workers[0].cpu() if workers else 0.0, process_cpu(sink.process.pid)
            seconds, samples, campaign, cpu = send_campaign(account, mailing_list, start_later, args.subscribers)
            sink_cpu = process_cpu(sink.process.pid) - sink_cpu
            sustained_rate, low, high = sustained(samples, args.subscribers)
            first = next(t for t, n in samples if n > 0)
            delivered = sink.messages()
            statuses = dict(Message.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("id")))
            assert delivered == args.subscribers, (delivered, args.subscribers)
            assert statuses == {"sent": args.subscribers}, statuses
            workers[0].wait_idle(queue)
            workers_cpu = workers[0].cpu() - workers_cpu
            workers_rss = workers[0].peak_rss_mb()
            workers[0].stop()

            message = Message.objects.filter(campaign=campaign).select_related("subscriber").first()
            # The workers' own builder for the message's variant (None outside an A/B test): the bytes they sent.
            builder = Sender(campaign, campaign.task).builders[message.variant]
            data = builder.build(message.pk, message.to_email, message.subscriber.fields)
            floor_count = min(args.floor_messages, args.subscribers)
            before = sink.messages()
            floor = floors(port, data, floor_count)
            time.sleep(0.2)
            assert sink.messages() - before == 4 * floor_count, (sink.messages() - before, 4 * floor_count)
        except BaseException:
            for path in sorted(tmp.glob("worker*.log")):
                print(f"--- {path.name} (tail)\n{path.read_text(errors='replace')[-3000:]}")
            raise
        finally:
            if workers:
                workers[0].stop()
            sink.stop()

    n = args.subscribers
    batch = args.batch_size or settings.CAMPAIGN_BATCH_SIZE
    if args.dkim:
        assert data.startswith(b"DKIM-Signature: "), data[:100]
    if args.webhook:
        from webhooks.models import Event

        events = Event.objects.filter(type="email.delivered").count()
        assert events == n, (events, n)
        print(f"outbox: {events:,} email.delivered events written (one per message)")
    lanes = getattr(settings, "SMTP_CONNECTIONS", 1)
    print(
        f"\n{n:,} messages ({len(data):,} bytes each, 2 merge fields, {len(campaign.compiled['links'])} "
        f"tracked links), {args.workers} workers, batches of {batch}, {lanes} SMTP connection(s) each, "
        f"loopback smtp-sink{', DKIM-signed (RSA 2048)' if args.dkim else ''}"
    )
    print(f"{'':50} {'seconds':>8} {'messages/s':>11}")
    for (name, connections), label in (
        (("smtplib", 1), "floor: smtplib sendmail loop, one connection"),
        (("smtplib", 2), "floor: two such loops in parallel"),
        (("pipelined", 1), "SMTP leg: pipelined send_many, one connection"),
        (("pipelined", 2), "SMTP leg: two such loops in parallel"),
    ):
        rate = floor[name, connections]
        print(f"{label:50} {floor_count / rate:8.1f} {rate:11,.0f}")
    print(f"{'campaign: start → sent':50} {seconds:8.1f} {n / seconds:11,.0f}")
    print(f"{'campaign: sustained (10 % → 90 % sent)':50} {high - low:8.1f} {sustained_rate:11,.0f}")
    print(f"first batch recorded {first:.1f} s after start (the recipients written, the workers joined)")
    print(f"delivered: {delivered:,} messages counted by smtp-sink; Message rows: {statuses}")
    print(f"worker peak RSS: {workers_rss:.0f} MB (the largest of the {args.workers} workers)")
    us = 1e6 / n
    if args.profile:
        print(f"profiles (cProfile, SimpleWorker): {args.profile}/worker*.prof")
        return
    print(
        f"CPU per message, start → sent: workers {workers_cpu * us:.0f} µs, "
        f"PostgreSQL {cpu['postgres'] * us:.0f} µs, smtp-sink {sink_cpu * us:.0f} µs; "
        f"whole machine {cpu['machine'] * us:.0f} µs of {os.cpu_count() * seconds * us:.0f} µs available"
    )


if __name__ == "__main__":
    main()
