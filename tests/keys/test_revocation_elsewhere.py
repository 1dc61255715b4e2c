"""A key revoked over the API by another app server (a real second process) is refused here on the next request,
though this process had it in its cache."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiKey
from tests.factories import make_account
from tests.helpers import ApiClient, assert_problem
from tests.keys.builders import key_with

REPO = Path(__file__).resolve().parents[2]
# The other server: Django's test client in its own process, on the same database and Redis.
OTHER_SERVER = """
import os, sys, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().post(sys.argv[1], HTTP_AUTHORIZATION="Bearer " + sys.argv[2])
print(response.status_code, response.content.decode()[:300])
"""


def _env() -> dict:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING"}


@pytest.mark.django_db(transaction=True)
def test_a_key_revoked_by_another_process_is_refused_here_at_once():
    owner = make_account("elsewhere@example.com")
    victim = key_with(owner, "read", name="victim")
    victim_id = ApiKey.objects.get(account=owner.account, name="victim").pk
    api = ApiClient(victim)
    home = f"/accounts/{owner.name}"
    assert api.get(home).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert api.get(home).status_code == 200
    assert queries.captured_queries == [], "the key is served from this process's cache"

    other = subprocess.run(
        [sys.executable, "-c", OTHER_SERVER, f"/api/v1/keys/{victim_id}/revoke", owner.key],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 0 and other.stdout.startswith("200 "), other.stdout + other.stderr[-800:]

    assert_problem(api.get(home), 401, "/errors/401.1-invalid-token", 1)
