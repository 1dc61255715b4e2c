"""Shared helpers for the analytics tests."""

from analytics.representations import COUNTS, RATES
from tests.helpers import assert_hypermedia, assert_problem

EMAILS = "/api/v1/analytics/emails"


def campaign_path(campaign_id) -> str:
    return f"/api/v1/analytics/campaigns/{campaign_id}"


def contact_path(email_md5: str) -> str:
    return f"/api/v1/analytics/contacts/{email_md5}"


def emails(api, query: str = "") -> dict:
    return assert_hypermedia(api.get(EMAILS + (f"?{query}" if query else "")), 200, "email-analytics")


def bad(api, path: str) -> dict:
    return assert_problem(api.get(path), 400, "/errors/400.3-invalid-parameter", 3)


def nonzero(figures: dict) -> dict:
    return {name: value for name, value in figures.items() if value}


def zero_metrics() -> dict:
    return {**dict.fromkeys(COUNTS, 0), **dict.fromkeys(RATES, 0.0)}
