"""Where an import's time goes, part by part: the Python reader and PostgreSQL's chunk statements, each beside the
cheapest way PostgreSQL can write the same rows (COPY into the three tables with their indexes) in the same run.

The reader (parse, validate, stage) runs in this process on a generated CSV file. The chunk statements
(subscribers/sql.py: the general one, and the one for chunks of mostly new addresses) run as the import runs
them, 20,000 rows a chunk, each chunk in its own transaction: new rows, the same rows again (nothing changes),
and rows whose city changed. PostgreSQL's part is read as its backend's CPU time (/proc: the server must run on
this machine), which another program on the machine disturbs less than wall time; wall time is printed too.

    bin/with-test-env .venv/bin/python bench/import_parts.py [--rows 300000]
"""

import sys

# bench/collections.py would shadow the standard library's `collections`: look here last.
sys.path.append(sys.path.pop(0))

import argparse
import io
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "emailapi_bench_import_parts"
CHUNK = 20_000
HEADER = "email,firstName,lastName,city\n"


def fresh_database(base: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{base}/{DATABASE}"


def csv_text(rows: int, city: str) -> bytes:
    lines = [HEADER]
    lines.extend(f"subscriber{i}@bench-import.example,First{i},Last{i},{city}{i % 977}\n" for i in range(rows))
    return "".join(lines).encode()


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_chunks(data: bytes, types: dict) -> tuple[list, dict]:
    """The reader's three parts over the whole file: (staged chunks, seconds of CPU per part)."""
    from imports.reading import validate_rows
    from imports.seen import SeenKeys
    from imports.sources import iter_rows
    from subscribers.staging import stage_rows

    options = {"email_column": 0, "fields": {"1": "firstName", "2": "lastName", "3": "city"}, "delimiter": ","}
    started = time.process_time()
    rows = list(iter_rows("csv", io.BytesIO(data), options))
    parsed = time.process_time()
    valid, errors, _ = validate_rows(rows, types, SeenKeys(len(rows)))
    assert not errors, errors[:3]
    validated = time.process_time()
    chunks = [(valid[i : i + CHUNK], stage_rows(valid[i : i + CHUNK])) for i in range(0, len(valid), CHUNK)]
    staged = time.process_time()
    return chunks, {"parse": parsed - started, "validate": validated - parsed, "stage": staged - validated}


def run_statement(conn, pid: int, statement: str, chunks, account_id: int, list_id: int) -> tuple[float, float]:
    """(backend CPU seconds, wall seconds) of the chunk statements over every chunk, each chunk committed."""
    from subscribers import sql
    from subscribers.models import SUPPRESSED

    params = {"account": account_id, "list": list_id, "suppressed": [str(s) for s in SUPPRESSED]}
    params.update(ip=None, agent=None)
    cpu = wall = 0.0
    for _, staged in chunks:
        with conn.transaction(), conn.cursor() as cursor:
            for setting in sql.IMPORT_SETTINGS:
                cursor.execute(setting)
            cursor.execute(sql.STAGE)
            with cursor.copy(sql.COPY_STAGE) as copy:
                copy.write(staged)
            cpu_before, wall_before = backend_cpu(pid), time.perf_counter()
            cursor.execute(statement, params)
            cursor.fetchall()
            cpu += backend_cpu(pid) - cpu_before
            wall += time.perf_counter() - wall_before
            cursor.execute(sql.EMPTY_STAGE)
    return cpu, wall


def copy_floors(conn, pid: int, chunks, account_id: int, list_id: int) -> list[tuple[str, float, float]]:
    """COPY of the same rows into the subscribers, memberships and consents tables, with their indexes."""
    from subscribers import sql

    stamp = "2026-01-01 00:00:00+00"
    subscribers = b"".join(
        b"".join(
            f"{account_id}\t{email.address}\t{email.md5}\tactive\t{line.split(chr(9))[2]}\t{stamp}\t{stamp}\t0\n".encode()
            for (email, _), line in zip(rows, staged.decode().splitlines(), strict=True)
        )
        for rows, staged in chunks
    )
    total = sum(len(rows) for rows, _ in chunks)
    subscriber_columns = "account_id, email, email_md5, status, fields, created_at, updated_at, soft_bounces"
    tables = [
        (sql.SUBSCRIBER, subscriber_columns, subscribers),
        (sql.MEMBERSHIP, "list_id, subscriber_id, created_at", None),
        (sql.CONSENT, "list_id, subscriber_id, source, created_at, double_opt_in, sends", None),
    ]
    results = []
    conn.execute(f"TRUNCATE {sql.SUBSCRIBER}, {sql.MEMBERSHIP}, {sql.CONSENT}")
    for table, columns, data in tables:
        if data is None:
            first = conn.execute(f"SELECT min(id) FROM {sql.SUBSCRIBER}").fetchone()[0]
            extra = "\timport\t{stamp}\tf\t0" if table == sql.CONSENT else f"\t{stamp}"
            data = "".join(f"{list_id}\t{first + i}{extra.format(stamp=stamp)}\n" for i in range(total)).encode()
        cpu_before, wall_before = backend_cpu(pid), time.perf_counter()
        with conn.transaction(), conn.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])
        results.append((f"COPY into {table}", backend_cpu(pid) - cpu_before, time.perf_counter() - wall_before))
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = fresh_database(base)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import psycopg
    from django.core.management import call_command

    from accounts.services import account_get_or_create
    from lists.services import list_create
    from subscribers import sql

    call_command("migrate", verbosity=0)
    account, _ = account_get_or_create(name="bench-parts@example.com")
    list_id = list_create(account=account, name="Everyone").pk
    types = {"firstName": "string", "lastName": "string", "city": "string"}
    per_million = 1_000_000 / args.rows

    chunks, reader = read_chunks(csv_text(args.rows, "City"), types)
    changed, _ = read_chunks(csv_text(args.rows, "Town"), types)
    print(f"{args.rows:,} rows (email and three fields), chunks of {CHUNK:,}; seconds, and per 1,000,000 rows\n")
    print(f"{'the reader (Python, one thread), CPU':50s} {'s':>7s} {'s/M':>7s}")
    for part, seconds in reader.items():
        print(f"  {part:48s} {seconds:7.2f} {seconds * per_million:7.1f}")
    print(f"  {'all three':42s} {sum(reader.values()):7.2f} {sum(reader.values()) * per_million:7.1f}\n")

    print(f"{'PostgreSQL':50s} {'CPU s':>7s} {'CPU s/M':>7s} {'wall s':>7s}")
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        for name, statement in (("general", sql.UPSERT), ("probe first", sql.UPSERT_FRESH)):
            conn.execute(f"TRUNCATE {sql.SUBSCRIBER}, {sql.MEMBERSHIP}, {sql.CONSENT}")
            conn.execute("CHECKPOINT")
            for case, staged in (("new rows", chunks), ("nothing changed", chunks), ("every row changed", changed)):
                cpu, wall = run_statement(conn, pid, statement, staged, account.pk, list_id)
                label = f"chunk statement, {name}: {case}"
                print(f"  {label:48s} {cpu:7.2f} {cpu * per_million:7.1f} {wall:7.2f}")
        conn.execute("CHECKPOINT")
        floors = copy_floors(conn, pid, chunks, account.pk, list_id)
        for label, cpu, wall in floors:
            print(f"  floor: {label:41s} {cpu:7.2f} {cpu * per_million:7.1f} {wall:7.2f}")
        cpu, wall = sum(f[1] for f in floors), sum(f[2] for f in floors)
        print(f"  {'floor: the three COPYs':42s} {cpu:7.2f} {cpu * per_million:7.1f} {wall:7.2f}")


if __name__ == "__main__":
    main()
