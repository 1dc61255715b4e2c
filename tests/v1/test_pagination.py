"""The /api/v1 collection conventions (api/v1.py) on campaigns and contacts: both pagination modes, sorting,
and bad parameters."""

import pytest

from campaigns.models import Campaign
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import md5
from tests.v1.builders import CONTACTS, create_contact, href_of, page, query_of, walk

INVALID = "/errors/400.3-invalid-parameter"
CAMPAIGNS = "/api/v1/campaigns"


@pytest.fixture
def contacts(api):
    emails = [f"c{i:02d}@example.com" for i in range(23)]
    for email in emails:
        create_contact(api, email)
    return emails


def test_offset_mode_keeps_total_and_links(api, contacts):
    body = page(api, f"{CONTACTS}?limit=10&offset=10", "contacts-page")
    assert (body["limit"], body["offset"], body["total"]) == (10, 10, 23)
    assert [item["emailAddress"] for item in body["items"]] == contacts[10:20]
    assert query_of(href_of(body, "next"))["offset"] == "20"
    assert query_of(href_of(body, "prev"))["offset"] == "0"
    last = page(api, href_of(body, "next"), "contacts-page")
    assert [item["emailAddress"] for item in last["items"]] == contacts[20:]
    assert href_of(last, "next") is None


def test_default_page_is_twenty_in_offset_mode(api, contacts):
    body = page(api, CONTACTS, "contacts-page")
    assert (len(body["items"]), body["limit"], body["offset"], body["total"]) == (20, 20, 0, 23)


@pytest.mark.parametrize(
    "sort_by,order",
    [("id", "asc"), ("id", "desc"), ("email", "asc"), ("email", "desc"), ("createdAt", "asc"), ("createdAt", "desc")],
)
def test_cursor_mode_walks_every_row_once_both_ways(api, contacts, sort_by, order):
    expected = sorted(contacts, reverse=order == "desc")  # created in address order
    forward = walk(api, f"{CONTACTS}?cursor=&limit=4&sort_by={sort_by}&order={order}", "contacts-page", "emailAddress")
    assert forward == expected
    # From the last page, prev links walk back to the first.
    href = f"{CONTACTS}?cursor=&limit=4&sort_by={sort_by}&order={order}"
    while True:
        body = page(api, href, "contacts-page")
        assert "total" not in body and "offset" not in body
        if not href_of(body, "next"):
            break
        href = href_of(body, "next")
    backward = walk(api, href, "contacts-page", "emailAddress", direction="prev")
    assert backward == list(reversed(expected))


def test_cursor_pages_skip_and_repeat_nothing_while_rows_are_inserted(api, contacts):
    inserted = []

    def insert(n):  # after each page: one address before everything, one after, one in the middle
        for email in (f"a{n:02d}@example.com", f"z{n:02d}@example.com", f"c{n:02d}x@example.com"):
            create_contact(api, email)
            inserted.append(email)

    seen = walk(api, f"{CONTACTS}?cursor=&limit=5&sort_by=email", "contacts-page", "emailAddress", between=insert)
    assert len(seen) == len(set(seen))
    assert set(contacts) <= set(seen)
    # Rows inserted after the current position are seen; rows inserted behind it are not.
    assert seen == sorted(seen)
    assert {email for email in inserted if email.startswith("z")} <= set(seen)


def test_cursor_by_id_sees_rows_appended_between_pages(api, contacts):
    extra = []

    def append(n):
        email = f"new{n}@example.com"
        create_contact(api, email)
        extra.append(email)

    seen = walk(api, f"{CONTACTS}?cursor=&limit=10", "contacts-page", "emailAddress", between=append)
    assert seen == contacts + extra


def test_cursor_keeps_filters_and_sort(api, contacts):
    first = page(api, f"{CONTACTS}?cursor=&limit=2&email=c1&order=desc", "contacts-page")
    assert [item["emailAddress"] for item in first["items"]] == ["c19@example.com", "c18@example.com"]
    nxt = page(api, href_of(first, "next"), "contacts-page")
    assert [item["emailAddress"] for item in nxt["items"]] == ["c17@example.com", "c16@example.com"]
    assert set(query_of(href_of(first, "next"))) == {"limit", "cursor"}
    # Sending a different sort or filter with a cursor is refused.
    changed = api.get(href_of(first, "next") + "&email=c2")
    assert_problem(changed, 400, INVALID)
    same = api.get(href_of(first, "next") + "&order=desc&email=c1")
    assert_hypermedia(same, 200, "contacts-page")


@pytest.mark.parametrize(
    "query,field",
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("offset=-1", "offset"),
        ("sort_by=status", "sort_by"),
        ("order=up", "order"),
        ("cursor=garbage", "cursor"),
        ("cursor=eyJxIjp7fX0:1abc:xyz", "cursor"),
        ("cursor=&offset=3", "cursor"),
        ("page=2", "page"),
        ("status=sleeping", "status"),
        ("created_after=yesterday", "created_after"),
        ("list=abc", "list"),
        ("field.nothere=1", "field.nothere"),
        ("field.=1", "field."),
        ("limit=5&limit=6", "limit"),
    ],
)
def test_bad_parameters_answer_400_naming_what_is_allowed(api, contacts, query, field):
    body = assert_problem(api.get(f"{CONTACTS}?{query}"), 400, INVALID)
    assert body["errors"][0]["field"] == field


def test_unknown_parameter_lists_the_allowed_ones(api):
    body = assert_problem(api.get(f"{CONTACTS}?colour=red&sort=email"), 400, INVALID)
    assert [error["field"] for error in body["errors"]] == ["colour", "sort"]
    for allowed in (
        "limit",
        "offset",
        "cursor",
        "sort_by",
        "order",
        "status",
        "list",
        "email",
        "created_after",
        "created_before",
        "field.<name>",
    ):
        assert allowed in body["detail"]


def test_a_cursor_of_another_collection_is_refused(api, contacts):
    first = page(api, f"{CONTACTS}?cursor=&limit=2&sort_by=email", "contacts-page")
    cursor = query_of(href_of(first, "next"))["cursor"]
    assert_problem(api.get(f"{CAMPAIGNS}?cursor={cursor}"), 400, INVALID)


def test_a_tampered_cursor_is_refused(api, contacts):
    first = page(api, f"{CONTACTS}?cursor=&limit=2", "contacts-page")
    cursor = query_of(href_of(first, "next"))["cursor"]
    assert_problem(api.get(f"{CONTACTS}?cursor={cursor[:-2]}xx"), 400, INVALID)


# --- Campaigns -----------------------------------------------------------------------------------


@pytest.fixture
def campaigns(api, owner):
    from datetime import timedelta

    from django.utils import timezone

    names = ["delta", "alpha", "charlie", "bravo", "echo"]
    ids = []
    for i, name in enumerate(names):
        response = api.post(CAMPAIGNS, {"name": name})
        ids.append(assert_hypermedia(response, 201, "campaign")["campaignId"])
        if i % 2 == 0:  # scheduled (written directly: scheduling needs a ready campaign, beside the point here)
            Campaign.objects.filter(pk=ids[-1]).update(
                status="scheduled", scheduled_at=timezone.now() + timedelta(days=5 - i)
            )
    return dict(zip(names, ids, strict=True))


@pytest.mark.parametrize(
    "sort_by,order,expected",
    [
        ("id", "asc", ["delta", "alpha", "charlie", "bravo", "echo"]),
        ("name", "asc", ["alpha", "bravo", "charlie", "delta", "echo"]),
        ("name", "desc", ["echo", "delta", "charlie", "bravo", "alpha"]),
        ("createdAt", "desc", ["echo", "bravo", "charlie", "alpha", "delta"]),
        # Unscheduled campaigns (null) come last in both orders, by id.
        ("scheduledAt", "asc", ["echo", "charlie", "delta", "alpha", "bravo"]),
        ("scheduledAt", "desc", ["delta", "charlie", "echo", "bravo", "alpha"]),
    ],
)
def test_campaigns_sort_in_both_modes(api, campaigns, sort_by, order, expected):
    offset = page(api, f"{CAMPAIGNS}?sort_by={sort_by}&order={order}", "campaigns-page")
    assert [item["name"] for item in offset["items"]] == expected
    for limit in (1, 2, 3):
        forward = walk(
            api, f"{CAMPAIGNS}?cursor=&limit={limit}&sort_by={sort_by}&order={order}", "campaigns-page", "name"
        )
        assert forward == expected


def test_campaigns_filter_by_status_in_cursor_mode(api, campaigns):
    seen = walk(api, f"{CAMPAIGNS}?cursor=&limit=1&status=scheduled", "campaigns-page", "name")
    assert seen == ["delta", "charlie", "echo"]
    assert_problem(api.get(f"{CAMPAIGNS}?status=nope"), 400, INVALID)
    assert_problem(api.get(f"{CAMPAIGNS}?sort_by=subject"), 400, INVALID)
    assert Campaign.objects.count() == 5


def test_links_carry_the_mode_in_use(api, contacts):
    offset = page(api, f"{CONTACTS}?limit=5", "contacts-page")
    assert "offset=" in href_of(offset, "self") and "cursor" not in href_of(offset, "next")
    cursor = page(api, f"{CONTACTS}?limit=5&cursor=", "contacts-page")
    assert "cursor=" in href_of(cursor, "self") and "cursor=" in href_of(cursor, "next")
    assert not links_by_rel(cursor, "prev")
    assert md5(contacts[0]) == cursor["items"][0]["emailMd5"]
