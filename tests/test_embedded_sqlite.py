"""The embedded SQLite default under the same tests as PostgreSQL: the contacts filters, the segment operators,
the import's chunk writer, the messages' and the contacts' counters and the Schemathesis suite.

The rest of the suite runs on PostgreSQL; a query that only PostgreSQL understands (`field.firstName=x` used to
answer 500 on SQLite) would hide there. This runs pytest again in a subprocess with DATABASE_URL and REDIS_URL
empty (the embedded default of `make run`: SQLite, jobs in-process) and a smaller fuzzing budget.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
# Per operation in the fuzzing phase (the examples and coverage phases add their own): about 20 s here.
SQLITE_FUZZ_EXAMPLES = "2"


def test_contacts_filters_and_the_fuzz_suite_pass_on_the_embedded_sqlite_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("EMAIL_HOST", "FUZZ_MAX_EXAMPLES")}
    # Empty, not unset: tests/env.py fills unset ones with PostgreSQL and Redis.
    env.update(
        {"DATABASE_URL": "", "REDIS_URL": "", "VAR_DIR": str(tmp_path), "FUZZ_MAX_EXAMPLES": SQLITE_FUZZ_EXAMPLES}
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/v1/test_contacts.py",
            "tests/segments/test_operators.py",  # the compiler's SQLite dialect (segments/compiler.py)
            "tests/imports/test_import_chunks.py",  # the set-based import of SQLite (subscribers/bulk_portable.py)
            "tests/campaigns/test_tally.py",  # the messages' counters' SQLite triggers (campaigns/tally.py)
            "tests/subscribers/test_contact_counts.py",  # the contacts' counters (subscribers/tally.py)
            "tests/fuzz",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # a hang guard: about 3 minutes on two busy cores
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
