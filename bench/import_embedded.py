"""`manage.py import_subscribers` of the same CSV file on the embedded default (SQLite) and on PostgreSQL.

Each database starts empty: migrate, an account, a list and the file's custom field, then the command imports
the file (new rows), and imports it again (nothing changed: no row is rewritten). The floor is PostgreSQL's
path for the same file, measured in the same run: the goal is SQLite within 5x of it.

    bin/with-test-env .venv/bin/python bench/import_embedded.py [--rows 30000]
"""

import sys

# bench/collections.py would shadow the standard library's `collections`: look here last.
sys.path.append(sys.path.pop(0))

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "emailapi_bench_import_embedded"
SETUP = """
from accounts.services import account_get_or_create
from fields.services import field_create
from lists.services import list_create
account, _ = account_get_or_create(name="bench-embedded@example.com")
field_create(account=account, name="city", type="string")
print(list_create(account=account, name="Everyone").pk)
"""


def fresh_postgresql(base: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{base}/{DATABASE}"


def write_csv(path: Path, rows: int) -> None:
    with path.open("w") as out:
        out.write("email,firstName,lastName,city\n")
        for i in range(rows):
            out.write(f"subscriber{i}@bench-embedded.example,First{i},Last{i},City{i % 977}\n")


def manage(env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(result.stdout[-2000:] + result.stderr[-4000:])
    return result.stdout


def timed_imports(env: dict, csv_path: Path) -> tuple[float, float]:
    manage(env, "migrate", "-v", "0")
    list_id = manage(env, "shell", "-c", SETUP).strip().splitlines()[-1]
    seconds = []
    for _ in range(2):
        started = time.perf_counter()
        output = manage(
            env, "import_subscribers", str(csv_path), "--account", "bench-embedded@example.com", "--list", list_id
        )
        seconds.append(time.perf_counter() - started)
        assert any(line.startswith("task ") and line.endswith(": done") for line in output.splitlines()), output
    return seconds[0], seconds[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=30_000)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    common = {
        **os.environ,
        "SECRET_KEY": "bench-secret-key-long-enough-for-django-checks-0123456789",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": "",
    }
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "subscribers.csv"
        write_csv(csv_path, args.rows)
        sqlite = timed_imports({**common, "DATABASE_URL": "", "VAR_DIR": str(Path(tmp) / "var")}, csv_path)
        postgresql = timed_imports({**common, "DATABASE_URL": fresh_postgresql(base)}, csv_path)
    print(f"\nmanage.py import_subscribers, {args.rows:,} CSV rows (email and three fields), process start to end")
    print(f"{'':34} {'new rows':>9} {'unchanged':>10}")
    print(f"{'floor: PostgreSQL':34} {postgresql[0]:8.1f}s {postgresql[1]:9.1f}s")
    print(f"{'embedded default (SQLite)':34} {sqlite[0]:8.1f}s {sqlite[1]:9.1f}s")
    print(f"{'SQLite / PostgreSQL':34} {sqlite[0] / postgresql[0]:8.1f}x {sqlite[1] / postgresql[1]:9.1f}x")


if __name__ == "__main__":
    main()
