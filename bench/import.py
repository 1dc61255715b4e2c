"""Import 1,000,000 CSV rows through the HTTP API with one worker, beside a raw COPY floor.

Generates the rows (email and three fields), starts gunicorn and one RQ worker
(SimpleWorker: the import runs in the worker process, whose peak RSS is read from
/proc, and so are its child processes': a big import's reader runs in one), POSTs the file to the
import endpoint and polls the task until it is done.
Then imports the same file again (nothing changes: no row is rewritten), then a file where every row's city
changed (every row an update), and measures the floor: a
raw COPY of the same file into a bare table.

    bin/with-test-env .venv/bin/python bench/import.py [--rows N] [--database NAME] [--fillfactor N] [--indexed FIELD]

With ``--indexed city`` (or firstName, lastName) that field is indexed (filterable) first, its index built by
its job and waited for: what an indexed field costs an import.
"""

import sys

# bench/collections.py would shadow the standard library's `collections`: look here last.
sys.path.append(sys.path.pop(0))

import argparse
import contextlib
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "emailapi_bench_import"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(base: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def write_csv(path: Path, rows: int, city: str = "City") -> None:
    with path.open("w") as out:
        out.write("email,firstName,lastName,city\n")
        for i in range(rows):
            out.write(f"subscriber{i}@bench-import.example,First{i},Last{i},{city}{i % 977}\n")


def request(method, url, key, data=None, content_type=None):
    headers = {"Authorization": f"Bearer {key}"}
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=600) as response:
        return response.status, response.headers, json.loads(response.read() or b"{}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0


def children_rss_mb(pid: int) -> tuple[float, float]:
    """The worker's child processes alive now (a big import's reader process, imports/reader_process.py, and
    multiprocessing's resource tracker), added up: (their peak RSS, the worker's RSS and theirs now)."""
    peak, now = 0.0, _status_mb(pid, "VmRSS:")
    children = []
    for thread in Path(f"/proc/{pid}/task").glob("*"):  # each thread's children (a writer thread starts the reader)
        with contextlib.suppress(OSError):
            children.extend((thread / "children").read_text().split())
    for child in children:
        with contextlib.suppress(OSError, ValueError):  # gone meanwhile
            peak += _status_mb(int(child), "VmHWM:")
            now += _status_mb(int(child), "VmRSS:")
    return peak, now


def run_import(base_url, key, account, list_id, csv_path, worker_pid=None, children=None):
    status, headers, _ = request(
        "POST",
        f"{base_url}/accounts/{account}/lists/{list_id}/subscribers/import",
        key,
        csv_path.read_bytes(),
        "text/csv",
    )
    assert status == 202, status
    task_url = base_url + headers["Location"]
    while True:
        _, _, task = request("GET", task_url, key)
        if task["status"] in ("done", "error", "canceled"):
            break
        if worker_pid is not None:
            children.append(children_rss_mb(worker_pid))
        time.sleep(0.2)
    assert task["status"] == "done", task
    seconds = (datetime.fromisoformat(task["finishedAt"]) - datetime.fromisoformat(task["createdAt"])).total_seconds()
    return seconds, task


def heap_line(database_url: str) -> str:
    import psycopg

    from common import HEAP, heap_text

    with psycopg.connect(database_url) as conn:
        return heap_text(*conn.execute(HEAP, []).fetchone())


def index_field(base_url, key, account, name):
    field_url = f"{base_url}/accounts/{account}/fields/{name}"
    request("PUT", field_url, key, json.dumps({"indexed": True}).encode(), "application/json")
    while (field := request("GET", field_url, key)[2])["indexStatus"] != "ready":
        time.sleep(0.1)
    print(f"{name} indexed: {field['indexed']}, its index {field['indexStatus']}")


def _waited(task: dict) -> float:
    """From the task's creation (in the request, before the upload is stored and checked) to its job's start."""
    return (datetime.fromisoformat(task["startedAt"]) - datetime.fromisoformat(task["createdAt"])).total_seconds()


def copy_floor(database_url: str, csv_path: Path) -> float:
    import psycopg

    with psycopg.connect(database_url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy_floor")
        conn.execute("CREATE TABLE bench_copy_floor (email text, first_name text, last_name text, city text)")
        started = time.perf_counter()
        copy_sql = "COPY bench_copy_floor FROM STDIN WITH (FORMAT csv, HEADER true)"
        with conn.cursor() as cursor, cursor.copy(copy_sql) as copy, csv_path.open("rb") as source:
            while block := source.read(1 << 20):
                copy.write(block)
        conn.commit()
        return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default=DATABASE, help="the benchmark's database (dropped and made again)")
    parser.add_argument(
        "--fillfactor",
        type=int,
        help="the subscribers table's fillfactor, set after migrating and before the rows are written "
        "(default: as the migrations leave it)",
    )
    parser.add_argument(
        "--indexed", choices=("city", "firstName", "lastName"), help="index this field before importing"
    )
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi").rsplit("/", 1)[0]
    database_url = fresh_database(base, args.database)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key-long-enough-for-django-checks-0123456789",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "API_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    if args.fillfactor is not None:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f"ALTER TABLE subscribers_subscriber SET (fillfactor = {int(args.fillfactor)})")
    account = "bench-import@example.com"
    key = (
        subprocess.run(
            [python, "manage.py", "create_account", account],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "600",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [python, "manage.py", "rqworker", "imports", "default", "--worker-class", "rq.SimpleWorker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The queues must start empty.
        subprocess.run(
            [
                python,
                "-c",
                "import django; django.setup(); import django_rq; "
                "[django_rq.get_queue(q).empty() for q in ('imports', 'default')]",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        for _ in range(100):
            try:
                request("GET", base_url + "/", key)
                break
            except OSError:
                time.sleep(0.1)
        _, _, _ = request(
            "POST",
            f"{base_url}/accounts/{account}/fields",
            key,
            json.dumps({"fieldName": "city", "type": "string"}).encode(),
            "application/json",
        )
        _, headers, _ = request(
            "POST",
            f"{base_url}/accounts/{account}/lists",
            key,
            json.dumps({"name": "Everyone"}).encode(),
            "application/json",
        )
        list_id = headers["Location"].rsplit("/", 1)[1]
        if args.indexed:
            index_field(base_url, key, account, args.indexed)
        with tempfile.TemporaryDirectory() as tmp:
            csv_path = Path(tmp) / "subscribers.csv"
            started = time.perf_counter()
            write_csv(csv_path, args.rows)
            size_mb = csv_path.stat().st_size / 1e6
            print(f"generated {args.rows:,} rows ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f} s")
            children = [(0.0, 0.0)]  # the worker's child processes' peak RSS, and all together now, every 0.2 s
            first, task = run_import(base_url, key, account, list_id, csv_path, worker.pid, children)
            assert task["result"]["new"] == args.rows, task["result"]
            tasks = [task]
            second, task = run_import(base_url, key, account, list_id, csv_path, worker.pid, children)
            assert task["result"]["alreadyInList"] == args.rows, task["result"]
            tasks.append(task)
            changed_path = Path(tmp) / "changed.csv"
            write_csv(changed_path, args.rows, city="Town")  # every row's city changes
            third, task = run_import(base_url, key, account, list_id, changed_path, worker.pid, children)
            assert task["result"]["alreadyInList"] == args.rows, task["result"]
            tasks.append(task)
            rss = peak_rss_mb(worker.pid)
            floor = copy_floor(database_url, csv_path)
        indexed = f", {args.indexed} indexed" if args.indexed else ", no indexed field"
        print(f"\n{args.rows:,} rows{indexed}, one worker, queued to done (task createdAt → finishedAt)")
        print(f"{'':34} {'seconds':>8} {'rows/s':>10}   of which before the job started (upload, checks, queue)")
        print(f"{'floor: raw COPY into a bare table':34} {floor:8.1f} {args.rows / floor:10,.0f}")
        for name, seconds, done in (
            ("import, all new", first, tasks[0]),
            ("re-import, nothing changed", second, tasks[1]),
            ("re-import, every row changed", third, tasks[2]),
        ):
            print(f"{name:34} {seconds:8.1f} {args.rows / seconds:10,.0f}   {_waited(done):.1f} s")
        print(
            f"worker peak RSS: {rss:.0f} MB; its child processes' (reader, resource tracker): "
            f"{max(peak for peak, _ in children):.0f} MB; the worker and its children together, sampled every 0.2 s, "
            f"at most {max(now for _, now in children):.0f} MB"
        )
        print(heap_line(database_url))
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
