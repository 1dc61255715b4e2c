"""apiary.apib, the registry and the OpenAPI schema stay in step."""

import re
from pathlib import Path

from django.core.management import call_command

from api.registry import REGISTRY

APIARY = (Path(__file__).resolve().parents[2] / "apiary.apib").read_text()

# Named in apiary.apib by endpoints a later issue builds (see dredd/hooks.py).
PENDING_RELS: set[str] = set()
PENDING_PROFILES: set[str] = set()
PENDING_PROBLEMS: set[str] = set()
PENDING_MODELS: set[str] = set()


def test_every_problem_type_is_in_the_contract_and_back():
    in_contract = set(re.findall(r"/errors/([0-9]{3}\.[0-9]+-[a-z0-9-]+)", APIARY))
    assert set(REGISTRY.problems) <= in_contract, set(REGISTRY.problems) - in_contract
    assert in_contract - set(REGISTRY.problems) <= PENDING_PROBLEMS


def test_every_rel_in_the_contract_is_registered():
    in_contract = set(re.findall(r"/rels/([a-z0-9-]+)", APIARY))
    assert in_contract - set(REGISTRY.rels) <= PENDING_RELS, in_contract - set(REGISTRY.rels) - PENDING_RELS


def test_every_profile_in_the_contract_is_registered():
    in_contract = set(re.findall(r"profile=/schemas/([a-z0-9-]+)", APIARY))
    assert in_contract - set(REGISTRY.profiles) <= PENDING_PROFILES


def test_every_model_linked_from_the_contract_is_registered():
    in_contract = set(re.findall(r"\(/models/([a-z0-9-]+)\)", APIARY))
    assert in_contract - set(REGISTRY.models) <= PENDING_MODELS


def test_openapi_generation_has_no_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_openapi_documents_every_account_route(db):
    from django.test import Client

    paths = set(Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"])
    assert "/accounts/{account_name}/lists/{list_id}/subscribers/{email_md5}" in paths
    for expected in (
        "/accounts/{account_name}/lists",
        "/accounts/{account_name}/lists/{list_id}",
        "/accounts/{account_name}/subscribers",
        "/accounts/{account_name}/subscribers/{email_md5}",
        "/accounts/{account_name}/subscribers/{email_md5}/unsubscribe",
        "/accounts/{account_name}/fields",
        "/accounts/{account_name}/fields/{field_name}",
    ):
        assert expected in paths, expected
