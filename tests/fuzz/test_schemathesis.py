"""Schemathesis against /api/schema/: every operation, authenticated, bounded and seeded.

Each operation gets its own test (one transaction, rolled back) with seeded objects: most
generated path parameters are replaced by the ids of real objects so the code behind the 404
runs too. Checks: no 5xx; every response documented (status code, content type, body schema,
headers); authentication not ignored; undocumented methods answered 405 with ``Allow``. A failure
fails ``make test``.
"""

import os
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from config.wsgi import application
from tests.fuzz.seed import SEED, seed_objects

# Fuzzing phase, per operation (the examples and coverage phases add their own); FUZZ_MAX_EXAMPLES and
# FUZZ_SEED allow a longer or different run by hand.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "12"))
SEED_VALUE = int(os.environ.get("FUZZ_SEED", "20261123"))
# negative_data_rejection is left out: it reads the alternative security schemes as all required
# (a request without ?access_token= "should have been rejected"), and DRF's CharField takes numbers.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "ignored_auth",
    "unsupported_method",
    "allow_header_conformance",
    "missing_required_header",
]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
schema.config.seed = SEED_VALUE
schema.config.generation.update(max_examples=MAX_EXAMPLES)
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
schema.config.checks.update(included_check_names=CHECKS)

OPERATIONS = sorted(op.ok().label for op in schema.get_all_operations())
EXERCISED: set[str] = set()


def real_objects(path_parameters: dict) -> dict:
    """Two generated values in three become a seeded object's id; the rest stay random (404)."""
    mapped = dict(path_parameters)
    if "account_name" in mapped:
        mapped["account_name"] = SEED["account_name"]
    for name, value in path_parameters.items():
        if name in SEED and name != "account_name" and zlib.crc32(str(value).encode()) % 3:
            mapped[name] = SEED[name]
    return mapped


@pytest.fixture
def seeded(db, settings):
    SEED.update(seed_objects())
    settings.BOUNCE_WEBHOOK_SECRET = SEED["key"]  # so the one header opens the webhook too
    # As Django's test client does (after the seeding, which uses it and reconnects them):
    # a request must not close the connection that holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield SEED
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.fuzz
@schema.parametrize()
@settings(derandomize=True, database=None, deadline=None, print_blob=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, seeded):
    EXERCISED.add(case.operation.label)
    # Here rather than in a map_path_parameters hook, which the coverage phase does not apply.
    case.path_parameters = real_objects(case.path_parameters or {})
    case.call_and_validate(headers={"Authorization": f"Bearer {seeded['key']}"})


@pytest.mark.fuzz
def test_every_operation_was_fuzzed():
    """No operation may be left out. pytest-django runs tests without a database after those with
    one, so this comes after every fuzz test: select it with them (`-m fuzz`, or the module)."""
    assert len(OPERATIONS) >= 59
    assert set(OPERATIONS) == EXERCISED, f"not fuzzed in this run: {sorted(set(OPERATIONS) - EXERCISED)}"
