"""Load: 200 concurrent clients for 60 s against the production server, every surface, reads and writes.

Starts `bin/serve` (gunicorn, RQ workers with the scheduler) on a fresh database `emailapi_load`, with a
local SMTP sink for the emails it sends, builds accounts (one API key per client, so the per-key rate
limit is not what is measured), then runs closed-loop clients: each sends a request, waits for the
whole answer, and sends the next. It prints, per kind of request, the count, p50/p99 latency and
errors, with `GET /healthz` (a minimal Django view through the same middleware) as the floor
measured in the same run.

    bin/with-test-env .venv/bin/python bench/load.py [--clients 200] [--seconds 60]
        [--think-ms 0] [--web-workers N] [--threads N] [--rq-workers 2] [--subscribers 2000]

An error is a connection failure, a timeout, or a status other than the one the request expects.
Not part of `make test`; figures and how to read them in docs/benchmarks.md.
"""

import sys

# bench/collections.py shadows the standard library's `collections`: look in bench/ last.
sys.path.append(sys.path.pop(0))

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from common import ROOT, setup_django
from loadclient import HttpClient, percentile
from loadmix import Workload

DATABASE = "emailapi_load"
ACCOUNTS = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build(clients: int, subscribers: int) -> list[dict]:
    """Accounts with a list of ``subscribers`` (written with COPY) and one API key per client."""
    import hashlib

    from django.db import connection

    from accounts.services import account_get_or_create, api_key_issue
    from lists.services import list_count_recount, list_create
    from subscribers.counters import counters_recount

    accounts = []
    for n in range(ACCOUNTS):
        account, _ = account_get_or_create(name=f"load{n}@bench.example")
        mailing_list = list_create(account=account, name="Everyone")
        emails = [f"s{i}.a{n}@bench.example" for i in range(subscribers)]
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY subscribers_subscriber (account_id, email, email_md5, status, fields, created_at, updated_at) "
                "FROM STDIN"
            ) as copy,
        ):
            for email in emails:
                copy.write_row(
                    (
                        account.pk,
                        email,
                        hashlib.md5(email.encode()).hexdigest(),
                        "active",
                        json.dumps({"firstName": email[:4]}),
                        "now",
                        "now",
                    )
                )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO subscribers_membership (list_id, subscriber_id, created_at) "
                "SELECT %s, id, now() FROM subscribers_subscriber WHERE account_id = %s",
                [mailing_list.pk, account.pk],
            )
        counters_recount(account.pk)
        list_count_recount(account=account)
        md5s = [hashlib.md5(email.encode()).hexdigest() for email in emails]
        keys = [api_key_issue(account=account, name=f"load {k}")[1] for k in range(-(-clients // ACCOUNTS))]
        accounts.append({"name": account.name, "list": mailing_list.pk, "md5s": md5s, "keys": keys})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return accounts


def start_server(args, port: int, smtp_port: int, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "REDIS_URL": args.redis_url,
        "PORT": str(port),
        "RQ_WORKERS": str(args.rq_workers),
        "GUNICORN_THREADS": str(args.threads),
        "API_RATE_LIMIT_PER_MINUTE": "1000000",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "LOG_FORMAT": "json",
    }
    if args.web_workers:
        env["GUNICORN_WORKERS"] = str(args.web_workers)
    log = open(log_path, "w")  # noqa: SIM115 (the server writes to it for as long as it runs)
    return subprocess.Popen(
        [str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


async def wait_ready(port: int, server: subprocess.Popen) -> None:
    client = HttpClient("127.0.0.1", port, 5)
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit("bin/serve exited; see its log")
        try:
            status, _, _ = await client.request("GET", "/readyz", headers={})
            if status == 200:
                return
        except (TimeoutError, OSError, Exception):
            await client.close()
        await asyncio.sleep(0.2)
    raise SystemExit("bin/serve did not become ready")


async def prepare(port: int, accounts: list[dict]) -> None:
    """Through the API, as clients would: a campaign and a sent email per account (for the pixel)."""
    from campaigns.tokens import make_token

    client = HttpClient("127.0.0.1", port, 30)
    for account in accounts:
        auth = {"Authorization": f"Bearer {account['keys'][0]}"}
        status, body, _ = await client.request(
            "POST",
            "/api/v1/campaigns",
            headers=auth,
            body={"name": "Load", "subject": "Hi", "lists": [account["list"]]},
        )
        assert status == 201, (status, body[:300])
        account["campaign"] = json.loads(body)["campaignId"]
        status, body, _ = await client.request(
            "POST",
            "/api/v1/emails/send",
            headers=auth,
            body={"to": "first@sink.example", "subject": "Hi", "text": "Hello"},
        )
        assert status == 202, (status, body[:300])
        account["token"] = make_token(json.loads(body)["emailId"])
    await client.close()


async def run_client(
    n: int,
    port: int,
    account: dict,
    key: str,
    stop_at: float,
    measure_from: float,
    samples: dict,
    errors: dict,
    measured_ids: dict,
    args,
) -> None:
    workload = Workload(account, key, n)
    client = HttpClient("127.0.0.1", port, args.timeout)
    seq = 0
    while (now := time.monotonic()) < stop_at:
        if args.think_ms:
            await asyncio.sleep(random.expovariate(1000 / args.think_ms))
            now = time.monotonic()
        kind, method, path, body, expected = workload.next()
        seq += 1
        # The server logs this id with its own time for the request: the report puts both side by side.
        request_id = f"load-{n}-{seq}"
        headers = {"Authorization": f"Bearer {key}", "X-Request-ID": request_id}
        started = time.perf_counter()
        try:
            status, content, _ = await client.request(method, path, headers=headers, body=body)
            problem = None if status == expected else f"{status}: {content[:160]!r}"
        except Exception as exc:  # a refused connection, a reset, a timeout: all count as errors
            await client.close()
            problem = f"{type(exc).__name__}: {exc}"
        elapsed_ms = (time.perf_counter() - started) * 1000
        if now >= measure_from:
            samples[kind].append(elapsed_ms)
            measured_ids[request_id] = kind
            if problem is not None:
                errors[kind].append(problem)
    await client.close()


def server_times(log_path: Path, measured_ids: dict) -> dict:
    """The server's own duration of each measured request (its request log line), by kind."""
    times = defaultdict(list)
    with open(log_path) as log:
        for raw in log:
            if '"api.requests"' not in raw:
                continue
            line = json.loads(raw)
            kind = measured_ids.get(line.get("request_id"))
            if kind is not None:
                times[kind].append(line["duration_ms"])
    return times


def report(args, samples: dict, errors: dict, server: dict, seconds: float) -> None:
    total = sum(len(values) for values in samples.values())
    error_count = sum(len(values) for values in errors.values())
    print(
        f"\n{args.clients} clients (think time {args.think_ms:.0f} ms), {seconds:.0f} s measured (after "
        f"{args.warmup:.0f} s warm-up), gunicorn {args.web_workers or 'default'} workers × {args.threads} "
        f"threads, {args.rq_workers} RQ workers, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'':38} {'':>7} {'':>7} {'client':>17} {'server':>17}")
    print(
        f"{'request':38} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7}"
    )

    def row(name, values, server_values, errors_count):
        values, server_values = sorted(values), sorted(server_values)
        print(
            f"{name:38} {len(values):7d} {len(values) / seconds:7.1f} {percentile(values, 0.5):8.1f} "
            f"{percentile(values, 0.99):8.1f} {percentile(server_values, 0.5):8.1f} "
            f"{percentile(server_values, 0.99):8.1f} {errors_count:7d}"
        )

    for kind in sorted(samples, key=lambda k: (not k.startswith("floor"), k)):
        row(kind, samples[kind], server[kind], len(errors[kind]))
    row(
        "all requests",
        [v for values in samples.values() for v in values],
        [v for values in server.values() for v in values],
        error_count,
    )
    reads = [v for kind, values in samples.items() if kind.startswith("read:") for v in values]
    read_errors = sum(len(problems) for kind, problems in errors.items() if kind.startswith("read:"))
    row(
        "single-resource reads",
        reads,
        [v for kind, values in server.items() if kind.startswith("read:") for v in values],
        read_errors,
    )
    reads.sort()
    print(
        f"\nthroughput {total / seconds:.1f} req/s; errors {error_count}; "
        f"p99 of single-resource reads {percentile(reads, 0.99):.1f} ms (goal ≤ 50 ms)"
    )
    for kind, problems in errors.items():
        if problems:
            print(f"  {kind}: {len(problems)} errors, e.g. {problems[0]}")


async def main_async(args, accounts: list[dict], port: int) -> None:
    server_log = Path(args.log)
    smtp_port = free_port()
    smtp = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = start_server(args, port, smtp_port, server_log)
    try:
        await wait_ready(port, server)
        await prepare(port, accounts)
        samples, errors, measured_ids = defaultdict(list), defaultdict(list), {}
        begin = time.monotonic()
        measure_from, stop_at = begin + args.warmup, begin + args.warmup + args.seconds
        keys = [(account, key) for account in accounts for key in account["keys"]]
        await asyncio.gather(
            *(
                run_client(n, port, *keys[n % len(keys)], stop_at, measure_from, samples, errors, measured_ids, args)
                for n in range(args.clients)
            )
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=90)
        smtp.terminate()
        smtp.wait()
    report(args, samples, errors, server_times(server_log, measured_ids), args.seconds)
    print(f"server log: {server_log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--web-workers", type=int, default=0, help="gunicorn workers (default: bin/serve's)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread)")
    parser.add_argument("--rq-workers", type=int, default=2)
    parser.add_argument("--subscribers", type=int, default=2000, help="per account (10 accounts)")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0,
        help="mean pause of a client between requests (exponential; 0: closed loop, no pause)",
    )
    parser.add_argument("--timeout", type=float, default=30, help="seconds before a request counts as an error")
    parser.add_argument("--log", default="/tmp/emailapi-load-server.log")
    parser.add_argument(
        "--redis-url",
        default=None,
        help="Redis of the server under test (default: REDIS_URL's server, database 14). Its RQ "
        "workers take every job on it: never share it with a test run",
    )
    args = parser.parse_args()
    if args.redis_url is None:
        args.redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)[0] + "/14"

    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:  # a fresh database for every run
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    setup_django(DATABASE)
    started = time.perf_counter()
    accounts = build(args.clients, args.subscribers)
    print(
        f"built {ACCOUNTS} accounts × {args.subscribers:,} subscribers, {args.clients} API keys "
        f"in {time.perf_counter() - started:.1f} s"
    )
    from django.db import connections

    connections.close_all()
    asyncio.run(main_async(args, accounts, free_port()))


if __name__ == "__main__":
    main()
