"""`bench/send.py --embedded`: a campaign on the embedded default, SQLite and in-process jobs (`make run`'s).

In a temporary VAR_DIR: migrate, an account with N subscribers in one list (written set-based, as an import
writes them: subscribers/bulk_portable.py), Postfix's smtp-sink on loopback, then the same campaign as
bench/send.py (merge tags, tracked links) started through the service; its jobs run in this process's
threads. Sampled until the task is done; every message is checked delivered (the sink's counter, the Message
rows all `sent`). The floor, in the same run on the same sink: a raw smtplib loop sending one message of the
campaign, as built by the sender.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT

CHUNK = 20_000


def build(subscribers: int, account_name: str):
    from django.db import transaction

    from accounts.services import account_get_or_create
    from lists.models import MailingList
    from lists.services import list_create
    from subscribers.bulk_portable import subscribers_import_chunk_portable
    from subscribers.emails import normalize_email

    account, _ = account_get_or_create(name=account_name)
    mailing_list = list_create(account=account, name="Everyone")
    for start in range(0, subscribers, CHUNK):
        rows = [
            (normalize_email(f"subscriber{i}@bench-send.example"), {"firstName": f"First{i}", "lastName": f"Last{i}"})
            for i in range(start, min(start + CHUNK, subscribers))
        ]
        with transaction.atomic():
            subscribers_import_chunk_portable(account_id=account.pk, list_id=mailing_list.pk, rows=rows)
    return account, MailingList.objects.get(pk=mailing_list.pk)


def main_embedded(args, send):
    """``send``: the bench/send module (its campaign, sink and floors)."""
    port = send.free_port()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ.update(
            {
                "DATABASE_URL": "",
                "REDIS_URL": "",
                "VAR_DIR": str(tmp / "var"),
                "SECRET_KEY": "bench-secret-key-long-enough-for-django-checks-0123456789",
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
                "PUBLIC_BASE_URL": "https://mail.bench.example",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(port),
                "LOG_LEVEL": "WARNING",
                "ALLOW_UNVERIFIED_SENDERS": "true",  # as bin/with-test-env: no sending domain to verify
            }
        )
        sys.path.insert(0, str(ROOT))
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        from django.conf import settings
        from django.db.models import Count

        from campaigns.models import Campaign, Message
        from campaigns.sending import Sender
        from tasks.models import Task

        assert settings.JOBS_IN_PROCESS and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        started = time.perf_counter()
        account, mailing_list = build(args.subscribers, send.ACCOUNT)
        print(f"built {args.subscribers:,} subscribers on SQLite in {time.perf_counter() - started:.1f} s")
        sink = send.Sink(port, tmp / "sink.log")
        try:
            campaign = send.campaign_create_spring(account, mailing_list)
            started = time.perf_counter()
            send.campaign_start_now(campaign)
            campaign = Campaign.objects.get(pk=campaign.pk)
            task_id = campaign.task_id
            while (task := Task.objects.get(pk=task_id)).status in ("queued", "in-progress"):
                time.sleep(0.2)
            seconds = time.perf_counter() - started
            assert task.status == "done", (task.status, task.reason)
            delivered = sink.messages()
            statuses = dict(Message.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("id")))
            assert delivered == args.subscribers, (delivered, args.subscribers)
            assert statuses == {"sent": args.subscribers}, statuses
            message = Message.objects.filter(campaign=campaign).select_related("subscriber").first()
            builder = Sender(campaign, campaign.task).builders[message.variant]
            data = builder.build(message.pk, message.to_email, message.subscriber.fields)
            floor_count = min(args.floor_messages, args.subscribers)
            floor = send.floors(port, data, floor_count)
        finally:
            sink.stop()
    n = args.subscribers
    print(f"\n{n:,} messages ({len(data):,} bytes each), embedded default: SQLite, jobs in-process, loopback smtp-sink")
    print(f"{'':50} {'seconds':>8} {'messages/s':>11}")
    rate = floor["smtplib", 1]
    print(f"{'floor: smtplib sendmail loop, one connection':50} {floor_count / rate:8.1f} {rate:11,.0f}")
    print(f"{'campaign: start → sent':50} {seconds:8.1f} {n / seconds:11,.0f}")
    print(f"delivered: {delivered:,} messages counted by smtp-sink; Message rows: {statuses}")
