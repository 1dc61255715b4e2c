"""Webhooks on both surfaces: create (the secret shown once), read, replace, delete, rotate; the same
representation; validation as problem+json (a private URL 400.51, too many 409.12); the delivery log's pages."""

import pytest
from standardwebhooks import Webhook

from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import create_list, subscribed
from tests.webhooks.builders import V1, Receiver, acting, create_webhook, webhooks_path
from webhooks import signing
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db
REFUSED = "/errors/400.51-webhook-url-refused"


def test_create_read_update_delete_on_the_blueprint_surface(api, owner, hooks):
    body = {"url": "https://hooks.example.com/email", "eventTypes": ["email.opened", "email.clicked", "email.opened"]}
    response = api.post(webhooks_path(api), {**body, "description": " CRM "})
    created = assert_hypermedia(response, 201, "webhook-secret")
    path = response["Location"]
    assert path == f"{webhooks_path(api)}/{created['webhookId']}"
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(Webhook(secret)._whsecret) == signing.SECRET_BYTES
    assert "not shown again" in created["message"]
    assert links_by_rel(created, "related")[0]["href"] == path

    webhook = assert_hypermedia(api.get(path), 200, "webhook")
    assert webhook["eventTypes"] == ["email.opened", "email.clicked"]  # each once, in order
    assert (webhook["url"], webhook["description"], webhook["enabled"], webhook["disabled"]) == (
        "https://hooks.example.com/email",
        "CRM",
        True,
        None,
    )
    assert "secret" not in webhook and secret not in api.get(path).content.decode()
    assert Endpoint.objects.get().secret.startswith("v1:")  # sealed at rest
    assert links_by_rel(webhook, "self")[0]["href"] == path
    for rel in (
        "/rels/edit-webhook",
        "/rels/delete-webhook",
        "/rels/webhook-deliveries",
        "/rels/rotate-webhook-secret",
    ):
        assert links_by_rel(webhook, rel), rel
    page = assert_hypermedia(api.get(webhooks_path(api)), 200, "webhooks-collection")
    assert [item["webhookId"] for item in page["items"]] == [created["webhookId"]]
    assert links_by_rel(page, "/rels/create-webhook")

    edited = {"url": "https://hooks.example.com/v2", "eventTypes": ["task.finished"], "enabled": False}
    assert_hypermedia(api.put(path, edited), 200, "message")
    webhook = assert_hypermedia(api.get(path), 200, "webhook")
    assert (webhook["url"], webhook["eventTypes"], webhook["description"]) == (
        "https://hooks.example.com/v2",
        ["task.finished"],
        "",
    )
    assert webhook["enabled"] is False and webhook["disabled"]["reason"] == "account"

    assert_hypermedia(api.delete(path), 200, "message")
    assert_problem(api.get(path), 404)


def test_the_v1_surface_shows_the_same_webhook_and_gives_the_secret_once(api, owner, hooks):
    created = api.post(V1, {"url": "https://hooks.example.com/a", "eventTypes": ["subscriber.created"]})
    body = assert_hypermedia(created, 201, "webhook")
    assert created["Location"] == f"{V1}/{body['webhookId']}" and body["secret"].startswith("whsec_")
    same = assert_hypermedia(api.get(f"{V1}/{body['webhookId']}"), 200, "webhook")
    hypermedia = assert_hypermedia(api.get(f"{webhooks_path(api)}/{body['webhookId']}"), 200, "webhook")
    assert {k: v for k, v in same.items() if k != "_links"} == {k: v for k, v in hypermedia.items() if k != "_links"}
    assert {k: v for k, v in body.items() if k not in ("_links", "secret")} == {
        k: v for k, v in same.items() if k != "_links"
    }
    page = assert_hypermedia(api.get(f"{V1}?sort_by=url"), 200, "webhooks-page")
    assert [item["webhookId"] for item in page["items"]] == [body["webhookId"]]
    put = {"url": "https://hooks.example.com/b", "eventTypes": ["task.finished"], "description": "tasks"}
    updated = assert_hypermedia(api.put(f"{V1}/{body['webhookId']}", put), 200, "webhook")
    assert (updated["url"], updated["description"]) == ("https://hooks.example.com/b", "tasks")
    rotated = assert_hypermedia(api.post(f"{V1}/{body['webhookId']}/rotate-secret"), 200, "webhook-secret")
    assert rotated["secret"] != body["secret"]
    assert api.delete(f"{V1}/{body['webhookId']}").status_code == 204
    assert_problem(api.get(f"{V1}/{body['webhookId']}"), 404)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://10.0.0.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://localhost:8000/x",
        "ftp://hooks.example.com/x",
    ],
)
def test_a_url_inside_our_network_is_refused(api, hooks, url):
    hooks.CALLBACK_ALLOW_PRIVATE_ADDRESSES = False
    for response in (
        api.post(webhooks_path(api), {"url": url, "eventTypes": ["task.finished"]}),
        api.post(V1, {"url": url, "eventTypes": ["task.finished"]}),
    ):
        body = assert_problem(response, 400, REFUSED, 51)
        assert body["errors"][0]["field"] == "url"
    assert not Endpoint.objects.exists()


def test_invalid_or_missing_members_are_problems(api, hooks):
    assert_problem(api.post(webhooks_path(api), {"eventTypes": ["task.finished"]}), 400, "/errors/400.24-missing-data")
    assert_problem(api.post(V1, {"url": "https://hooks.example.com/x"}), 400, "/errors/400.24-missing-data")
    for body in (
        {"url": "https://hooks.example.com/x", "eventTypes": ["email.sent"]},
        {"url": "https://hooks.example.com/x", "eventTypes": []},
        {"url": "not a url", "eventTypes": ["task.finished"]},
        {"url": "https://hooks.example.com/x", "eventTypes": ["task.finished"], "description": "x" * 201},
    ):
        assert_problem(api.post(webhooks_path(api), body), 400, "/errors/400.2-validation-error", 2)
    assert not Endpoint.objects.exists()


def test_an_account_has_at_most_its_webhooks(api, hooks):
    hooks.WEBHOOK_MAX_ENDPOINTS = 2
    for n in range(2):
        create_webhook(api, f"https://hooks.example.com/{n}", ["task.finished"])
    response = api.post(V1, {"url": "https://hooks.example.com/3", "eventTypes": ["task.finished"]})
    assert_problem(response, 409, "/errors/409.12-too-many-webhooks", 12)
    assert Endpoint.objects.count() == 2


def test_the_delivery_log_pages_on_both_surfaces(api, owner, hooks):
    list_id = create_list(api, "News")
    with Receiver([200, 500]) as receiver:  # the first delivered, the others failing
        hooks.WEBHOOK_RETRY_HOURS = 0
        webhook_id, _ = create_webhook(api, receiver.url, ["subscriber.created", "subscriber.updated"])
        for n in range(6):
            acting(lambda n=n: subscribed(api, list_id, f"p{n}@example.com"))
    path = f"{webhooks_path(api)}/{webhook_id}/deliveries"
    page = assert_hypermedia(api.get(f"{path}?per_page=5"), 200, "webhook-deliveries")
    assert (page["itemsCount"], page["pagesCount"], len(page["items"])) == (6, 2, 5)
    ids = [item["deliveryId"] for item in page["items"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert links_by_rel(page, "next")
    assert links_by_rel(page, "related")[0]["href"] == f"{webhooks_path(api)}/{webhook_id}"
    v1 = assert_hypermedia(api.get(f"{V1}/{webhook_id}/deliveries?status=delivered"), 200, "webhook-deliveries-page")
    assert [item["status"] for item in v1["items"]] == ["delivered"] and v1["total"] == 1
    v1 = assert_hypermedia(api.get(f"{V1}/{webhook_id}/deliveries?limit=2&order=desc"), 200, "webhook-deliveries-page")
    assert v1["total"] == 6 and [item["deliveryId"] for item in v1["items"]] == ids[:2]
    cursor = assert_hypermedia(
        api.get(f"{V1}/{webhook_id}/deliveries?eventType=subscriber.created&cursor="), 200, "webhook-deliveries-page"
    )
    assert len(cursor["items"]) == 6
    assert_problem(api.get(f"{V1}/{webhook_id}/deliveries?status=lost"), 400, "/errors/400.3-invalid-parameter")
    detail = assert_hypermedia(api.get(f"{V1}/{webhook_id}/deliveries/{ids[0]}"), 200, "webhook-delivery")
    assert detail["status"] == "failed" and detail["attempts"][0]["statusCode"] == 500
    assert_problem(api.get(f"{V1}/{webhook_id}/deliveries/999999"), 404)
