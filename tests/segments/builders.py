"""Shared helpers for the segments tests: an audience with hand-chosen values, and what a tree matches."""

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from campaigns.models import Campaign, Event, Message
from subscribers.models import Subscriber
from tests.helpers import assert_hypermedia, backdate_subscribers
from tests.subscribers.builders import create_field, create_list, md5, subscribed, unsubscribe

V1 = "/api/v1/segments"
_names = itertools.count()


def segments_path(api) -> str:
    return f"/accounts/{api.owner.name}/segments"


def tree(*conditions, match="all") -> dict:
    return {"match": match, "conditions": list(conditions)}


def field(name, operator, value=None) -> dict:
    condition = {"kind": "field", "field": name, "operator": operator}
    return condition if value is None else {**condition, "value": value}


def create_segment(api, conditions, match="all", name=None) -> int:
    body = {"name": name or f"Segment {next(_names)}", "match": match, "conditions": conditions}
    response = api.post(segments_path(api), body)
    assert_hypermedia(response, 201, "message")
    return int(response["Location"].rsplit("/", 1)[1])


def matched(api, *conditions, match="all") -> set[str]:
    """The local parts of the addresses the tree matches, read three ways that must agree: a saved segment's
    subscribers (both surfaces) and the count of the unsaved tree."""
    segment_id = create_segment(api, list(conditions), match)
    page = assert_hypermedia(
        api.get(f"{segments_path(api)}/{segment_id}/subscribers?per_page=50"), 200, "subscribers-collection"
    )
    found = {item["emailAddress"].split("@")[0] for item in page["items"]}
    assert page["itemsCount"] == len(found)
    contacts = assert_hypermedia(api.get(f"{V1}/{segment_id}/contacts?limit=100"), 200, "contacts-page")
    assert {item["emailAddress"].split("@")[0] for item in contacts["items"]} == found
    assert contacts["total"] == len(found)
    count = assert_hypermedia(api.post(f"{segments_path(api)}/count", tree(*conditions, match=match)), 200)
    assert count["count"] == len(found), count
    return found


PEOPLE = {
    "ann": {"city": "Rosario", "age": 30, "vip": True, "joined": "2024-01-15", "gender": "F", "country": "AR",
            "work": "Ann@Work.example"},
    "bob": {"city": "rosario norte", "age": 45.5, "vip": False, "joined": "2023-06-01", "gender": "M",
            "country": "US"},
    "cid": {"city": "Córdoba", "age": 18, "joined": "2024-01-15", "country": "AR"},
    "dan": {},
    "eve": {"city": "Buenos Aires", "vip": True},
}  # fmt: skip
CREATED = {  # days ago
    "ann": 2,
    "bob": 40,
    "cid": 10,
    "dan": 400,
    "eve": 1,
}


def people(api, domain: str = "example.com") -> dict:
    """The five of PEOPLE with their fields; ann, bob and cid in list "A", dan in "B", eve unsubscribed.
    Returns {"lists": {"A": id, "B": id}, "ids": {name: subscriber id}, "now": the reference time}."""
    for name, type_ in (("city", "string"), ("age", "number"), ("vip", "boolean"), ("joined", "date"),
                        ("work", "email")):  # fmt: skip
        create_field(api, name, type_)
    lists = {"A": create_list(api, "A"), "B": create_list(api, "B")}
    for name, values in PEOPLE.items():
        list_id = lists["B"] if name in ("dan", "eve") else lists["A"]
        subscribed(api, list_id, f"{name}@{domain}", fields=values or None)
    unsubscribe(api, md5(f"eve@{domain}"))
    now = timezone.now()
    ids = {}
    for name, days in CREATED.items():
        subscriber = Subscriber.objects.get(account=api.owner.account, email=f"{name}@{domain}")
        backdate_subscribers(Subscriber.objects.filter(pk=subscriber.pk), now - timedelta(days=days))
        ids[name] = subscriber.pk
    return {"lists": lists, "ids": ids, "now": now}


def engagement(account, ids: dict, now: datetime) -> dict:
    """Two sent campaigns with messages and events, by hand:
    campaign 1 went to ann, bob, cid; ann opened 3 days ago and clicked link X 3 days ago, bob opened 50 days
    ago, cid never opened. Campaign 2 went to dan only (its message bounced), nobody opened.
    Returns {"first": id, "second": id, "url": X}."""
    url = "https://shop.example.com/x"
    first = Campaign.objects.create(account=account, name="One", status="sent")
    second = Campaign.objects.create(account=account, name="Two", status="sent")
    first.links.create(position=0, url=url)
    first.links.create(position=1, url="https://shop.example.com/y")

    def message(campaign, name, status="sent"):
        return Message.objects.create(
            account=account, campaign=campaign, subscriber_id=ids[name], to_email=f"{name}@x", status=status
        )

    def event(message, type_, days, **extra):
        Event.objects.create(
            account=account, message=message, campaign_id=message.campaign_id, type=type_,
            at=now - timedelta(days=days), **extra,
        )  # fmt: skip

    ann, bob, _ = (message(first, name) for name in ("ann", "bob", "cid"))
    message(second, "dan", status="hard-bounce")
    event(ann, "open", 3)
    event(ann, "click", 3, url=url)
    event(bob, "open", 50)
    event(bob, "click", 50, url="https://shop.example.com/y")
    Subscriber.objects.filter(pk=ids["ann"]).update(last_open_at=now - timedelta(days=3))
    Subscriber.objects.filter(pk=ids["bob"]).update(last_open_at=now - timedelta(days=50))
    return {"first": first.pk, "second": second.pk, "url": url}
