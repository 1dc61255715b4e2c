from api.events import TYPES
from api.links import url, url_template
from api.pagination import collection_schema
from api.registry import affordance, model, profile, ref, rel
from api.v1 import page_schema
from webhooks import problems  # noqa: F401  (the group's problem types, for /errors)
from webhooks.models import DeliveryStatus
from webhooks.serializers import MAX_URL

LINKS = {"type": "array", "items": ref("link")}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
EVENT_TYPES = {
    "type": "array",
    "minItems": 1,
    "items": {"enum": list(TYPES)},
    "description": "The events sent to it; each type once.",
}
SECRET = {
    "type": "string",
    "pattern": "^whsec_[A-Za-z0-9+/=]+$",
    "description": "The signing secret, Standard Webhooks style: `whsec_` and the base64 of 32 random bytes. Given "
    "once (in the answer to the create, or to a rotation), never shown again.",
}
DISABLED = {
    "type": ["object", "null"],
    "description": "null while enabled. `reason`: `account` (a PUT with `enabled` false) or `failures` (the server "
    "disabled it: `WEBHOOK_DISABLE_AFTER_FAILURES` deliveries in a row failed after every retry; `detail` says the "
    "last error). A PUT with `enabled` true starts it anew.",
    "required": ["reason", "detail", "at"],
    "properties": {"reason": {"enum": ["account", "failures"]}, "detail": {"type": "string"}, "at": TIME},
}
BODY = {
    "webhookId": {"type": "integer"},
    "url": {"type": "string", "format": "uri", "maxLength": MAX_URL},
    "description": {"type": "string"},
    "eventTypes": EVENT_TYPES,
    "enabled": {"type": "boolean"},
    "disabled": DISABLED,
    "consecutiveFailures": {
        "type": "integer",
        "minimum": 0,
        "description": "Deliveries in a row that failed after every retry (a delivered one sets it back to 0).",
    },
    "createdAt": TIME,
    "updatedAt": TIME,
}
profile(
    "webhook",
    "Webhook",
    {
        "description": "An endpoint the account's events are POSTed to, signed with its secret (Standard Webhooks). "
        "`secret` only in /api/v1's answer to the create.",
        "type": "object",
        "required": [*BODY, "_links"],
        "properties": {**BODY, "secret": SECRET, "_links": LINKS},
    },
)
profile("webhooks-collection", "Webhooks collection", collection_schema("webhook", "A page of the account's webhooks."))
profile(
    "webhooks-page",
    "Webhooks page (/api/v1)",
    page_schema(ref("webhook"), "A page of webhooks by `limit` and `offset`, or by `cursor`.", LINKS),
)
profile(
    "webhook-input",
    "Webhook input",
    {
        "description": "The body to create or replace a webhook. A URL that is not http(s), or whose host resolves "
        "to an address that is not public, answers 400.51.",
        "type": "object",
        "required": ["url", "eventTypes"],
        "properties": {
            "url": {"type": "string", "format": "uri", "maxLength": MAX_URL},
            "eventTypes": EVENT_TYPES,
            "description": {"type": "string", "maxLength": 200},
            "enabled": {"type": "boolean", "default": True},
        },
    },
)
profile(
    "webhook-secret",
    "Webhook secret",
    {
        "description": "The answer that gives a webhook's secret out: a create (Blueprint surface) or a rotation.",
        "type": "object",
        "required": ["message", "webhookId", "secret", "_links"],
        "properties": {
            "message": {"type": "string"},
            "webhookId": {"type": "integer"},
            "secret": SECRET,
            "_links": LINKS,
        },
    },
)
EVENT = {
    "type": "object",
    "description": "What a delivery POSTs: the body, byte for byte, that every attempt sends (JSON, UTF-8), with the "
    "headers `webhook-id` (`evt_…`, the same for every attempt and redelivery), `webhook-timestamp` (the attempt's "
    "time, Unix seconds) and `webhook-signature` (`v1,` and the base64 of HMAC-SHA256 of "
    "`{webhook-id}.{webhook-timestamp}.{body}` with the secret's bytes; two signatures, space-separated, while a "
    "rotated-out secret still signs). `data` by type: `subscriber.*` the subscriber (`emailAddress`, `emailMd5`, "
    "`status`, `fields`; `reason` when unsubscribed, `listId` when confirmed, `messageId` and `campaignId` when it "
    "complained); `campaign.*` the campaign (`campaignId`, `name`, `status`, `previousStatus`); `email.*` the message "
    "(`messageId`, `campaignId` (null for a single email), `emailAddress`; `bounce` (hard or soft) and `detail` when "
    "bounced, `url` when clicked); `task.finished` the task's representation, as its callback sends it.",
    "required": ["type", "timestamp", "data"],
    "properties": {"type": {"enum": list(TYPES)}, "timestamp": TIME, "data": {"type": "object"}},
}
profile("webhook-event", "Webhook event", EVENT)
ATTEMPT = {
    "type": "object",
    "required": ["at", "statusCode", "durationMs", "error"],
    "properties": {
        "at": TIME,
        "statusCode": {"type": ["integer", "null"], "description": "The answer's status; null when none came."},
        "durationMs": {"type": "integer", "minimum": 0, "description": "From the lookup to the answer's headers."},
        "error": {"type": "string", "description": "Empty for a 2xx; else the status, or what went wrong."},
    },
}
DELIVERY = {
    "deliveryId": {"type": "integer"},
    "webhookId": {"type": "integer"},
    "eventId": {"type": "string", "description": "The `webhook-id` header it is sent with."},
    "eventType": {"enum": list(TYPES)},
    "status": {
        "enum": DeliveryStatus.values,
        "description": "pending: to be attempted (at `nextAttemptAt`); delivered: a 2xx answered; failed: every "
        "attempt until its deadline failed, the host was refused, or the webhook was disabled.",
    },
    "attemptsCount": {"type": "integer", "minimum": 0},
    "nextAttemptAt": NULLABLE_TIME,
    "lastError": {"type": "string"},
    "createdAt": TIME,
    "finishedAt": NULLABLE_TIME,
    "attempts": {"type": "array", "items": ATTEMPT, "description": "Oldest first."},
    "event": ref("webhook-event"),
    "_links": LINKS,
}
profile(
    "webhook-delivery",
    "Webhook delivery",
    {
        "description": "One event sent to one webhook, with each attempt: when, the status code, how long it took.",
        "type": "object",
        "required": list(DELIVERY),
        "properties": DELIVERY,
    },
)
profile(
    "webhook-deliveries",
    "Webhook delivery log",
    collection_schema("webhook-delivery", "A page of a webhook's deliveries, newest first."),
)
profile(
    "webhook-deliveries-page",
    "Webhook delivery log (/api/v1)",
    page_schema(
        ref("webhook-delivery"), "A page of a webhook's deliveries by `limit` and `offset`, or `cursor`.", LINKS
    ),
)

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")
WRITE = ("400.24-missing-data", "400.2-validation-error", "400.51-webhook-url-refused", *AUTH)
rel(
    "webhooks-collection",
    "Webhooks",
    "A page of the account's webhooks (`page`, `per_page`; on /api/v1 `limit`, `offset`, `cursor`).",
    response_profile="webhooks-collection",
    problems=("400.3-invalid-parameter", *AUTH),
)
rel(
    "create-webhook",
    "Create a webhook",
    "POST a URL and the event types to send it; 201 with `Location` and the signing secret, shown this once.",
    method="POST",
    request_profile="webhook-input",
    response_profile="webhook-secret",
    problems=(*WRITE, "409.12-too-many-webhooks"),
)
rel(
    "webhook",
    "Webhook",
    "A webhook: its URL, event types, whether it is enabled (and, disabled, why). Never its secret.",
    response_profile="webhook",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "edit-webhook",
    "Edit a webhook",
    "PUT the whole webhook. `enabled` true starts a disabled one anew; false stops its deliveries.",
    method="PUT",
    request_profile="webhook-input",
    response_profile="message",
    problems=(*WRITE, "404.1-not-found"),
)
rel(
    "delete-webhook",
    "Delete a webhook",
    "DELETE a webhook, with its delivery log.",
    method="DELETE",
    response_profile="message",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "rotate-webhook-secret",
    "Rotate the signing secret",
    "POST: a new secret, shown this once; the previous one signs beside it for 24 hours (two signatures).",
    method="POST",
    response_profile="webhook-secret",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "webhook-deliveries",
    "Webhook delivery log",
    "A page of the webhook's deliveries, newest first, each with its attempts (on /api/v1 filtered by `status`, "
    "`eventType`). Kept `WEBHOOK_LOG_DAYS` days.",
    response_profile="webhook-deliveries",
    problems=("400.3-invalid-parameter", "404.1-not-found", *AUTH),
)
rel(
    "webhook-delivery",
    "Webhook delivery",
    "One delivery: the event, its status and every attempt (status code, response time, error).",
    response_profile="webhook-delivery",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "redeliver-webhook",
    "Redeliver",
    "POST: send the delivery's event again now (the same `webhook-id`), retried as a new delivery would be; 202.",
    method="POST",
    response_profile="message",
    problems=("404.1-not-found", "409.11-webhook-disabled", *AUTH),
)

model(
    "webhook",
    "Webhook",
    "An endpoint the account's events (subscribers, campaigns, emails, tasks) are POSTed to as they happen, signed "
    "the Standard Webhooks way, retried with backoff for up to `WEBHOOK_RETRY_HOURS`.",
    profile="webhook",
)
model(
    "webhook-delivery",
    "Webhook delivery",
    "One event sent to one webhook, and its attempts.",
    profile="webhook-delivery",
)
model("webhook-event", "Webhook event", "The JSON body a webhook receives.", profile="webhook-event")


def _webhook_template(view):
    return lambda account: url_template(view, {"account_name": account}, {"webhook_id": "webhookId"})


affordance(
    900, lambda account: url("webhook-collection", account_name=account), "/rels/webhooks-collection", "Webhooks"
)
affordance(
    901, lambda account: url("webhook-collection", account_name=account), "/rels/create-webhook", "Create a webhook"
)
affordance(902, _webhook_template("webhook-detail"), "/rels/webhook", "Webhook details", templated=True)
affordance(903, _webhook_template("webhook-detail"), "edit /rels/edit-webhook", "Edit a webhook", templated=True)
affordance(904, _webhook_template("webhook-detail"), "delete /rels/delete-webhook", "Delete a webhook", templated=True)
affordance(905, _webhook_template("webhook-deliveries"), "/rels/webhook-deliveries", "Delivery log", templated=True)
affordance(
    906,
    _webhook_template("webhook-rotate-secret"),
    "/rels/rotate-webhook-secret",
    "Rotate the signing secret",
    templated=True,
)
