"""Sending limits, measured: campaigns sent by two workers under a configured rate, beside the unthrottled floor.

Builds (with COPY, in a fresh database) an account with --subscribers active subscribers in one list, starts
Postfix's `smtp-sink` on loopback, and for each configuration starts two `manage.py rqworker sending`
processes (CAMPAIGN_SENDERS=2) with its settings, sends a campaign to the whole list (bench/send.py's
campaign: merge tags, 8 tracked links), and checks every message was delivered once (the sink's counter and
the Message rows, all `sent`). Configurations:

- the account's limit, SEND_RATE_PER_SECOND (default 200/s);
- the server's limit, perSecond in EMAIL_TRANSPORTS (default 500/s);
- none: the floor, as fast as the workers go.

The observed rate comes from the Message rows' `sent_at` (each batch's record time): a sliding window lets a
window's `limit` messages go in a burst, then `limit` more a window later, a staircase; its rate is the
least-squares slope of the messages sent so far against time (over the whole staircase, the count of
messages ÷ the time would add one window's burst to it). It must be within 5 % of the configured rate.

    bin/with-test-env .venv/bin/python bench/throttle.py [--subscribers N] [--account-rate R] [--server-rate R]

Uses the database emailapi_bench_throttle (dropped and created again) and Redis db 12.
"""

import sys

sys.path.append(sys.path.pop(0))  # bench/collections.py would shadow the standard library's `collections`

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from common import ROOT
from send import Sink, Workers, build, free_port, fresh_database, send_campaign

DATABASE = "emailapi_bench_throttle"
REDIS_URL = "redis://127.0.0.1:6379/12"


def observed(campaign) -> tuple[float, float]:
    """(messages/s as defined above, seconds from the first record to the last)."""
    from campaigns.models import Message

    times = sorted(t.timestamp() for t in Message.objects.filter(campaign=campaign).values_list("sent_at", flat=True))
    n = len(times)
    mean_t, mean_i = sum(times) / n, (n - 1) / 2
    covariance = sum((t - mean_t) * (i - mean_i) for i, t in enumerate(times))
    variance = sum((t - mean_t) ** 2 for t in times)
    return covariance / variance, times[-1] - times[0]


def run(label: str, env: dict, tmp: Path, account, mailing_list, sink, count: int, limit: int | None) -> dict:
    import django_rq
    from django.db.models import Count

    from campaigns.models import Message

    queue = django_rq.get_queue("sending")
    django_rq.get_connection("sending").flushdb()  # no job, limit log or set-aside server of the last run
    before = sink.messages()
    workers = Workers(env, 2, tmp, None)
    try:
        workers.wait_registered(queue, 2)
        seconds, _, campaign, _ = send_campaign(account, mailing_list, None, count)
        time.sleep(0.3)
        delivered = sink.messages() - before
        statuses = dict(Message.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("id")))
        assert delivered == count and statuses == {"sent": count}, (delivered, statuses)
    except BaseException:
        for path in sorted(tmp.glob("worker*.log")):
            print(f"--- {path.name} (tail)\n{path.read_text(errors='replace')[-3000:]}")
        raise
    finally:
        workers.stop()
    rate, span = observed(campaign)
    return {"label": label, "limit": limit, "rate": rate, "span": span, "seconds": seconds, "count": count}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=6000)
    parser.add_argument("--account-rate", type=int, default=200, help="SEND_RATE_PER_SECOND of the first run")
    parser.add_argument("--server-rate", type=int, default=500, help="the server's perSecond in the second run")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    database_url = fresh_database(base, DATABASE)
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "SEND_RATE_"))},
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "bench-secret-key-long-enough-for-django-checks-0123456789",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "PUBLIC_BASE_URL": "https://mail.bench.example",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "CAMPAIGN_SENDERS": "2",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    account, mailing_list = build(args.subscribers)
    n = args.subscribers
    server = {"host": "127.0.0.1", "port": port, "name": "sink", "perSecond": args.server_rate}
    configurations = [
        (f"account limit, SEND_RATE_PER_SECOND={args.account_rate}", {"SEND_RATE_PER_SECOND": str(args.account_rate)}),
        (
            f"server limit, EMAIL_TRANSPORTS perSecond={args.server_rate}",
            {"EMAIL_HOST": "", "EMAIL_TRANSPORTS": json.dumps([server])},
        ),
        ("no limit (the floor)", {}),
    ]
    limits = [args.account_rate, args.server_rate, None]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        sink = Sink(port, Path(tmp) / "sink.log")
        try:
            for (label, extra), limit in zip(configurations, limits, strict=True):
                results.append(run(label, {**env, **extra}, Path(tmp), account, mailing_list, sink, n, limit))
        finally:
            sink.stop()

    print(f"\n{n:,} messages a campaign, 2 workers, loopback smtp-sink; every message delivered once in each run")
    print(f"{'':52} {'configured':>10} {'observed':>9} {'off by':>7} {'start → sent':>13}")
    for result in results:
        limit = result["limit"]
        configured = f"{limit}/s" if limit else "—"
        off = f"{(result['rate'] - limit) / limit * 100:+.1f} %" if limit else ""
        print(f"{result['label']:52} {configured:>10} {result['rate']:8,.0f}/s {off:>7} {result['seconds']:10.1f} s")
    failed = [r for r in results if r["limit"] and abs(r["rate"] - r["limit"]) > 0.05 * r["limit"]]
    if failed:
        sys.exit(f"observed rate more than 5 % off: {[r['label'] for r in failed]}")


if __name__ == "__main__":
    main()
