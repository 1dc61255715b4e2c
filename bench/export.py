"""Export 1,000,000 subscribers of a list to CSV with one worker, beside a raw COPY of the same rows.

Writes the account (three custom fields, every subscriber in one list with its consent record), starts one RQ
worker (SimpleWorker: the export runs in the worker process, whose peak RSS is read from /proc), submits the
export through the service the API calls and polls the task until it is done. The floor, in the same run: one
``COPY (the same SELECT, without the formula escaping) TO STDOUT (FORMAT csv)`` read by this process. Then the
same export as XLSX (``--xlsx``), the workbook written by XlsxWriter from the CSV pieces.

    bin/with-test-env .venv/bin/python bench/export.py [--rows N] [--xlsx] [--database NAME] [--fillfactor N]
"""

import sys

# bench/collections.py would shadow the standard library's `collections`: look here last.
sys.path.append(sys.path.pop(0))

import argparse
import os
import subprocess
import time
from pathlib import Path

from common import ROOT, fill_list, heap_line, setup_django

DATABASE = "emailapi_bench_export"


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(rows: int):
    from django.db import connection

    from accounts.services import account_get_or_create
    from fields.services import field_create
    from lists.services import list_create

    account, created = account_get_or_create(name="bench-export@example.com")
    if not created:
        from lists.models import MailingList

        mailing_list = MailingList.objects.filter(account=account, name="Everyone").first()
        if mailing_list is not None and mailing_list.subscribers_count == rows:
            return account, mailing_list
        raise SystemExit("the database holds another set of rows: drop it first")
    for name in ("city", "plan"):
        field_create(account=account, name=name, type="string", label=name)
    mailing_list = list_create(account=account, name="Everyone", active=True)
    started = time.perf_counter()
    fill_list(
        account,
        mailing_list,
        range(rows),
        "subscriber{}@bench-export.example",
        lambda i: {"firstName": f"First{i}", "lastName": f"Last{i}", "city": f"City{i % 977}", "plan": "pro"},
    )
    with connection.cursor() as cursor:  # each membership's consent record, as an import writes them
        cursor.execute(
            "INSERT INTO subscribers_consent (list_id, subscriber_id, source, created_at, ip, user_agent, "
            "double_opt_in, sends) SELECT list_id, subscriber_id, 'import', now(), '192.0.2.1', 'bench/1.0', false, 0 "
            "FROM subscribers_membership WHERE list_id = %s",
            [mailing_list.pk],
        )
        cursor.execute("ANALYZE subscribers_consent")
    print(f"wrote {rows:,} subscribers in {time.perf_counter() - started:.1f} s")
    return account, mailing_list


def floor_seconds(plan) -> tuple[float, int]:
    """One COPY of every row of ``plan`` (unescaped), read by this process: (seconds, bytes)."""
    from django.db import connection

    statement, params = plan.rows(0)
    size = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")  # as the export's pages (exports/runner.py): the floor at its best
        with cursor.cursor.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for block in copy:
                size += len(block)
    return time.perf_counter() - started, size


def run_export(account, mailing_list, fmt: str) -> tuple[float, dict]:
    from django.db import transaction

    from exports.services import export_submit
    from tasks.models import Task

    with transaction.atomic():
        task = export_submit(account=account, kind="subscribers", fmt=fmt, list_id=mailing_list.pk)
    while (task := Task.objects.get(pk=task.pk)).status in ("queued", "in-progress"):
        time.sleep(0.1)
    assert task.status == "done", (task.status, task.reason)
    return (task.finished_at - task.started_at).total_seconds(), task.result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx", action="store_true", help="export as XLSX too")
    parser.add_argument("--database", default=DATABASE, help=f"the database to fill and export (default {DATABASE})")
    parser.add_argument(
        "--fillfactor",
        type=int,
        help="the subscribers table's fillfactor, set after migrating and before the rows are written "
        "(default: as the migrations leave it)",
    )
    args = parser.parse_args()
    setup_django(args.database, args.fillfactor)
    import django_rq
    from django.db import connection

    from exports.sql import subscribers_plan
    from fields.selectors import field_types

    account, mailing_list = prepare(args.rows)
    for name in ("imports", "default"):
        django_rq.get_queue(name).empty()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "imports", "default", "--worker-class", "rq.SimpleWorker"],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(2)  # the worker's start-up (Django, the connection) is not the export's time
        fields = [name for name, _ in field_types(account=account)]
        raw = subscribers_plan(account_id=account.pk, fields=fields, list_id=mailing_list.pk, escaped=False)
        escaped = subscribers_plan(account_id=account.pk, fields=fields, list_id=mailing_list.pk)
        floor, floor_bytes = floor_seconds(raw)
        whole, _ = floor_seconds(escaped)
        seconds, result = run_export(account, mailing_list, "csv")
        connection.close()
        rss = peak_rss_mb(worker.pid)
        print(f"\n{args.rows:,} subscribers of one list ({len(fields)} fields, consent columns), one worker")
        print(f"{'':50} {'seconds':>8} {'rows/s':>10} {'× floor':>8}")
        for label, value in (
            ("floor: one raw COPY … TO STDOUT, read by the client", floor),
            ("one COPY with the formula escaping", whole),
            ("export task, CSV (started → finished)", seconds),
        ):
            print(f"{label:50} {value:8.2f} {args.rows / value:10,.0f} {value / floor:8.2f}")
        print(f"CSV: {result['rows']:,} rows, {result['bytes'] / 1e6:.0f} MB (the floor's: {floor_bytes / 1e6:.0f} MB)")
        print(f"worker peak RSS after the CSV export: {rss:.0f} MB")
        print(heap_line())
        if args.xlsx:
            seconds, result = run_export(account, mailing_list, "xlsx")
            rate = args.rows / seconds
            print(f"export task, XLSX: {seconds:.1f} s ({rate:,.0f} rows/s), {result['bytes'] / 1e6:.0f} MB")
            print(f"worker peak RSS after the XLSX export too: {peak_rss_mb(worker.pid):.0f} MB")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
