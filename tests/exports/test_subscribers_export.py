"""A subscribers export, read back row by row: CSV and XLSX, fields and consent columns, the filters."""

import pytest

from tests.exports.builders import as_dicts, exported
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
