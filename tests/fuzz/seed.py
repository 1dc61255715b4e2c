"""Real objects for the fuzzer's path parameters: one of each kind, made through the API."""

from campaigns.tokens import make_token
from tests.campaigns.builders import create_campaign
from tests.factories import make_account
from tests.helpers import ApiClient, assert_hypermedia
from tests.subscribers.builders import Paths, create_field, create_list, subscribed
from webhooks.outbox import events_dispatch

# Filled by the fixture before each operation's test; read by the path-parameter hook.
SEED: dict = {}


def seed_objects() -> dict:
    owner = make_account("fuzz@example.com")
    api = ApiClient(owner)
    paths = Paths(owner)
    list_id = create_list(api, "Fuzz")
    webhook = api.post(
        "/api/v1/webhooks", {"url": "https://hooks.fuzz.invalid/x", "eventTypes": ["subscriber.created"]}
    )
    webhook = assert_hypermedia(webhook, 201, "webhook")
    email_md5 = subscribed(api, list_id, "ann@example.com", fields={"firstName": "Ann"})
    create_field(api, "city", "string")
    campaign_id = create_campaign(api, [list_id])
    segment = api.post(
        f"{paths.home}/segments",
        {"name": "Fuzz", "conditions": [{"kind": "field", "field": "firstName", "operator": "equals", "value": "Ann"}]},
    )
    assert_hypermedia(segment, 201, "message")
    template = api.post(f"{paths.home}/templates", {"name": "Fuzz", "html": "<p>{{ content }}</p>"})
    assert_hypermedia(template, 201, "message")
    imported = api.post(
        f"{paths.list_subscribers(list_id)}/import",
        {"items": [{"emailAddress": "bob@example.com"}, {"emailAddress": "not an address"}]},
    )
    assert_hypermedia(imported, 202, "message")
    form = api.post("/api/v1/forms", {"name": "Fuzz", "lists": [list_id], "fields": [{"fieldName": "firstName"}]})
    form = assert_hypermedia(form, 201, "signup-form")
    sent = api.post("/api/v1/emails/send", {"to": "cid@example.com", "subject": "Hi", "text": "Hello"})
    email = assert_hypermedia(sent, 202, "email")
    events_dispatch(limit=100)  # the webhook's delivery log (its jobs never run)
    delivery = webhook["_links"][0]["href"]  # its own href: the log is under it
    deliveries = assert_hypermedia(api.get(f"{delivery}/deliveries"), 200, "webhook-deliveries-page")["items"]
    # A second key (not the fuzzer's own, which a revoke would end): the keys' path parameter.
    key = assert_hypermedia(api.post("/api/v1/keys", {"name": "Fuzz", "scopes": ["read"]}), 201, "new-api-key")
    return {
        "key": owner.key,
        "account_name": owner.name,
        "list_id": str(list_id),
        "email_md5": email_md5,
        "field_name": "city",
        "campaign_id": str(campaign_id),
        "segment_id": segment["Location"].rsplit("/", 1)[1],
        "form_id": str(form["formId"]),
        "form_key": form["formKey"],
        "template_id": template["Location"].rsplit("/", 1)[1],
        "task_id": imported["Location"].rsplit("/", 1)[1],
        "email_id": str(email["emailId"]),
        "key_id": str(key["keyId"]),
        "token": make_token(email["emailId"]),
        "position": 1,
        "webhook_id": str(webhook["webhookId"]),
        "delivery_id": str(deliveries[0]["deliveryId"]),
    }
