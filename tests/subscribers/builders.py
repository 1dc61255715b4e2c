"""Shared helpers for the lists, subscribers and fields tests: URLs, API shortcuts, page checks."""

import hashlib
import math

from django.db import transaction
from django.utils import timezone

from tests.helpers import assert_hypermedia, links_by_rel

DEFAULT_PER_PAGE = 20


def md5(address: str) -> str:
    return hashlib.md5(address.strip().lower().encode("utf-8")).hexdigest()


class Paths:
    """The URLs of one account's resources."""

    def __init__(self, account_with_key):
        self.home = f"/accounts/{account_with_key.name}"
        self.lists = f"{self.home}/lists"
        self.subscribers = f"{self.home}/subscribers"
        self.fields = f"{self.home}/fields"

    def list(self, list_id) -> str:
        return f"{self.lists}/{list_id}"

    def list_subscribers(self, list_id) -> str:
        return f"{self.lists}/{list_id}/subscribers"

    def membership(self, list_id, email_md5) -> str:
        return f"{self.lists}/{list_id}/subscribers/{email_md5}"

    def subscriber(self, email_md5) -> str:
        return f"{self.subscribers}/{email_md5}"

    def unsubscribe(self, email_md5) -> str:
        return f"{self.subscribers}/{email_md5}/unsubscribe"

    def field(self, name) -> str:
        return f"{self.fields}/{name}"


# --- API shortcuts -------------------------------------------------------------------------------


def create_list(api, name: str, active: bool | None = None) -> int:
    body = {"name": name} if active is None else {"name": name, "active": active}
    response = api.post(Paths(api.owner).lists, body)
    assert_hypermedia(response, 201, "message")
    return int(response["Location"].rsplit("/", 1)[1])


def subscribe(api, list_id: int, email: str, fields=None, **extra):
    body = {"emailAddress": email, **extra}
    if fields is not None:
        body["fields"] = [{"fieldName": name, "value": value} for name, value in fields.items()]
    return api.post(Paths(api.owner).list_subscribers(list_id), body)


def subscribed(api, list_id: int, email: str, fields=None, status: int = 201, **extra) -> str:
    response = subscribe(api, list_id, email, fields, **extra)
    assert_hypermedia(response, status, "message")
    return md5(email)


def get_subscriber(api, email_md5: str) -> dict:
    return assert_hypermedia(api.get(Paths(api.owner).subscriber(email_md5)), 200, "subscriber")


def unsubscribe(api, email_md5: str, **body):
    response = api.post(Paths(api.owner).unsubscribe(email_md5), body)
    assert_hypermedia(response, 200, "message")
    return response


def create_field(api, name: str, type_: str, **extra) -> None:
    response = api.post(Paths(api.owner).fields, {"fieldName": name, "type": type_, **extra})
    assert_hypermedia(response, 200, "message")  # as the received Blueprint


def field_values(body: dict) -> dict:
    return {entry["fieldName"]: entry["value"] for entry in body["fields"]}


def list_quantities(api) -> dict[int, int]:
    """listId → subscribersQuantity, read from the lists collection (≤ 50 lists)."""
    body = assert_hypermedia(api.get(f"{Paths(api.owner).lists}?per_page=50"), 200, "lists-collection")
    for item in body["items"]:
        assert item["subcribersQuantity"] == item["subscribersQuantity"]
    return {item["listId"]: item["subscribersQuantity"] for item in body["items"]}


def items_count(api, path: str) -> int:
    return assert_hypermedia(api.get(path), 200, "subscribers-collection")["itemsCount"]


# --- What the API has no endpoint for: bounces and opens (written as the mail pipeline would) ------


def set_status(account, email_md5: str, status: str) -> None:
    """A bounce or similar status change, through the service that keeps the counters."""
    from subscribers.models import Subscriber
    from subscribers.services import _set_status

    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(account=account, email_md5=email_md5)
        _set_status(subscriber, status)


def mark_opened(account, email_md5: str) -> None:
    """The subscriber opened a message: it leaves the never-open bucket."""
    from subscribers.counters import status_counts_move
    from subscribers.models import Subscriber

    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(account=account, email_md5=email_md5)
        before = subscriber.buckets
        subscriber.last_open_at = timezone.now()
        subscriber.save(update_fields=["last_open_at"])
        status_counts_move(account.pk, before, subscriber.buckets)


# --- Pages ---------------------------------------------------------------------------------------


def page_href(path: str, page, per_page: int, query: str = "") -> str:
    href = f"{path}?page={page}"
    if per_page != DEFAULT_PER_PAGE:
        href += f"&per_page={per_page}"
    return href + (f"&{query}" if query else "")


def assert_page(
    api,
    path: str,
    expected: list,
    *,
    page: int,
    per_page: int,
    profile: str,
    collection_rel: str,
    affordances: list[str],
    key,
    query: str = "",
) -> dict:
    """Fetch one page and check its items (by ``key``), counts and links against ``expected``.

    ``affordances`` are the rels expected between the go-to-page link and ``first``, in order.
    """
    url = f"{path}?page={page}" + ("" if per_page == DEFAULT_PER_PAGE else f"&per_page={per_page}")
    url += f"&{query}" if query else ""
    body = assert_hypermedia(api.get(url), 200, profile)
    total = len(expected)
    pages = math.ceil(total / per_page)
    assert [key(item) for item in body["items"]] == expected[(page - 1) * per_page : page * per_page], (page, per_page)
    assert (body["pageSize"], body["currentPage"], body["itemsCount"], body["pagesCount"]) == (
        per_page,
        page,
        total,
        pages,
    )

    want = [f"self {collection_rel}", f"/rels/specific-page {collection_rel}", *affordances, f"first {collection_rel}"]
    if page > 1:
        want.append(f"prev {collection_rel}")
    if page < pages:
        want.append(f"next {collection_rel}")
    if pages >= 1:
        want.append(f"last {collection_rel}")
    assert [item["rel"] for item in body["_links"]] == want

    def href(rel):
        return links_by_rel(body, rel)[0]["href"]

    assert href("self") == page_href(path, page, per_page, query)
    template = links_by_rel(body, "/rels/specific-page")[0]
    assert template["templated"] is True
    assert template["href"] == page_href(path, "{page}", per_page, query)
    assert href("first") == page_href(path, 1, per_page, query)
    if page > 1:
        assert href("prev") == page_href(path, min(page - 1, max(pages, 1)), per_page, query)
    if page < pages:
        assert href("next") == page_href(path, page + 1, per_page, query)
    if pages >= 1:
        assert href("last") == page_href(path, pages, per_page, query)
    return body


def assert_every_page(api, path: str, expected: list, *, per_page: int, **kwargs) -> None:
    """Every page (first, middle, last, uneven last) and one past the end."""
    pages = math.ceil(len(expected) / per_page)
    for page in range(1, pages + 2):
        assert_page(api, path, expected, page=page, per_page=per_page, **kwargs)
