"""The Analytics examples of apiary.apib are valid against their profiles, and the OpenAPI documents the routes."""

import json
import re
from pathlib import Path

from django.test import Client
from jsonschema import Draft202012Validator

from api.registry import REGISTRY
from tests.helpers import _schema_registry

APIARY = (Path(__file__).resolve().parents[2] / "apiary.apib").read_text()
SECTION = APIARY[APIARY.index("### Email Analytics") : APIARY.index("## Group Tracking and Unsubscribe")]


def test_every_analytics_example_is_valid_against_its_profile():
    examples = re.findall(r"profile=/schemas/([a-z-]+)\)\n\n    \+ Body\n\n((?:            .*\n|\n)+)", SECTION)
    assert [name for name, _ in examples] == ["email-analytics", "campaign-analytics", "contact-analytics"]
    for name, block in examples:
        body = json.loads("\n".join(line[12:] for line in block.splitlines()))
        validator = Draft202012Validator(REGISTRY.profiles[name].schema, registry=_schema_registry())
        assert not [error.message for error in validator.iter_errors(body)], name


def test_openapi_documents_the_analytics_routes(db):
    paths = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in (
        "/api/v1/analytics/emails",
        "/api/v1/analytics/campaigns/{campaign_id}",
        "/api/v1/analytics/contacts/{email_md5}",
    ):
        assert path in paths, path
