"""A subscribers export, read back row by row: CSV and XLSX, fields and consent columns, the filters."""

import pytest
from django.test import Client

from subscribers.models import Consent, Subscriber
from tests.exports.builders import as_dicts, ask, exported, submit
from tests.helpers import assert_problem
from tests.segments.builders import create_segment, field as field_condition
from tests.subscribers.builders import create_field, create_list, md5, subscribed, unsubscribe


@pytest.fixture
def audience(api):
    create_field(api, "city", "string")
    create_field(api, "income", "number")
    north = create_list(api, "North")
    south = create_list(api, "South")
    subscribed(api, north, "ann@example.com", {"firstName": "Ann", "city": "Paris", "income": 450000})
    bob = {"firstName": '=HYPERLINK("https://evil.example")', "city": "+33"}
    subscribed(api, north, "bob@example.com", bob)
    subscribed(api, south, "bob@example.com", bob, status=200)
    subscribed(api, south, "cy@example.com", {"city": "-1+2", "lastName": "@SUM(A1)"})
    unsubscribe(api, md5("cy@example.com"))
    return north, south


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_list_export_read_back_row_by_row(api, audience, fmt):
    north, _ = audience
    task, rows = exported(api, kind="subscribers", listId=north, format=fmt)
    header = rows[0]
    assert header[:7] == [
        "emailAddress",
        "emailMd5",
        "status",
        "createdAt",
        "unsubscribedAt",
        "unsubscribeReason",
        "lists",
    ]
    assert header[7:14] == [
        "consentSource",
        "consentAt",
        "consentIp",
        "consentUserAgent",
        "consentConfirmedAt",
        "consentConfirmIp",
        "consentConfirmUserAgent",
    ]
    assert "city" in header and "income" in header and "firstName" in header
    records = as_dicts(rows)
    assert [r["emailAddress"] for r in records] == ["ann@example.com", "bob@example.com"]
    ann, bob = records
    assert ann["emailMd5"] == md5("ann@example.com") and ann["status"] == "active"
    assert ann["city"] == "Paris" and ann["income"] == "450000" and ann["firstName"] == "Ann"
    assert ann["lists"] == "North" and bob["lists"] == "North; South"
    assert ann["consentSource"] == "api" and ann["consentAt"].endswith("+00:00")
    assert bob["firstName"] == '\'=HYPERLINK("https://evil.example")' and bob["city"] == "'+33"
    assert task["result"]["rows"] == 2 and task["progress"]["total"] == 2 and task["progress"]["percent"] == 100
    assert ann["consentIp"] == "127.0.0.1" and ann["consentConfirmedAt"] == ""
    assert rows == exported(api, kind="subscribers", listId=north, format=fmt)[1]  # the same file twice


def test_the_whole_account_has_one_consents_column_and_every_status(api, audience):
    _, south = audience
    subscriber = Subscriber.objects.get(email="bob@example.com")
    Consent.objects.filter(subscriber=subscriber, list_id=south).update(
        double_opt_in=True, user_agent="=cmd|' /C calc'!A0"
    )
    _, rows = exported(api, kind="subscribers")
    assert rows[0][7] == "consents" and "consentSource" not in rows[0]
    records = {r["emailAddress"]: r for r in as_dicts(rows)}
    assert sorted(records) == ["ann@example.com", "bob@example.com", "cy@example.com"]
    cy = records["cy@example.com"]
    assert cy["status"] == "unsubscribed-by-admin" and cy["unsubscribedAt"].endswith("+00:00")
    assert cy["city"] == "'-1+2" and cy["lastName"] == "'@SUM(A1)"
    north_consent, south_consent = records["bob@example.com"]["consents"].split(" | ")
    assert north_consent.startswith("North; active; api; ") and north_consent.endswith("; 127.0.0.1; ")
    # A formula in the middle of a cell runs nowhere; the cell itself starts with a plain name.
    assert south_consent.startswith("South; pending; api; ") and south_consent.endswith("=cmd|' /C calc'!A0")


def test_a_status_filter_and_a_segment(api, audience):
    _, rows = exported(api, kind="subscribers", status="unsubscribed-by-admin")
    assert [r["emailAddress"] for r in as_dicts(rows)] == ["cy@example.com"]
    segment_id = create_segment(api, [field_condition("city", "equals", "Paris")])
    _, rows = exported(api, kind="subscribers", segmentId=segment_id, format="xlsx")
    assert [r["emailAddress"] for r in as_dicts(rows)] == ["ann@example.com"]
    north, _ = audience
    _, rows = exported(api, kind="subscribers", listId=north, status="active", segmentId=segment_id)
    assert [r["emailAddress"] for r in as_dicts(rows)] == ["ann@example.com"]


def test_an_empty_export_is_its_header(api, audience):
    _, rows = exported(api, kind="subscribers", status="hard-bounce", format="xlsx")
    assert len(rows) == 1 and rows[0][0] == "emailAddress"


def test_the_v1_surface_creates_the_same_task(api, audience):
    north, _ = audience
    task_id = submit(api, "v1", kind="subscribers", listId=north)
    assert Client().get(f"/accounts/{api.owner.name}/tasks/{task_id}").status_code == 401  # the task needs a key


@pytest.mark.parametrize(
    "body,status,slug,code",
    [
        ({"kind": "subscribers", "listId": 999999}, 400, "/errors/400.54-export-filter-not-found", 54),
        ({"kind": "subscribers", "segmentId": 999999}, 400, "/errors/400.54-export-filter-not-found", 54),
        ({"kind": "campaign-report", "campaignId": 999999}, 400, "/errors/400.54-export-filter-not-found", 54),
        ({"kind": "campaign-report"}, 400, "/errors/400.55-export-filters-invalid", 55),
        (
            {"kind": "campaign-report", "campaignId": 1, "status": "active"},
            400,
            "/errors/400.55-export-filters-invalid",
            55,
        ),
        ({"kind": "subscribers", "campaignId": 1}, 400, "/errors/400.55-export-filters-invalid", 55),
        ({"kind": "everything"}, 400, "/errors/400.2-validation-error", 2),
        ({"kind": "subscribers", "format": "pdf"}, 400, "/errors/400.2-validation-error", 2),
        ({"format": "csv"}, 400, "/errors/400.24-missing-data", 24),
    ],
)
@pytest.mark.parametrize("surface", ["hypermedia", "v1"])
def test_what_cannot_be_exported_is_a_problem(api, body, status, slug, code, surface):
    assert_problem(ask(api, surface, **body), status, slug, code)
