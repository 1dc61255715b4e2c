from api.links import url, url_template
from api.pagination import collection_schema
from api.registry import affordance, model, profile, ref, rel
from api.v1 import page_schema
from subscribers import problems  # noqa: F401  (the group's problem types, for /errors)
from subscribers.models import NEVER_OPEN, ConsentSource, Status

MD5 = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
FIELD_ENTRY = {
    "type": "object",
    "required": ["fieldName"],
    "properties": {"fieldName": {"type": "string"}, "value": {}},
}

CONSENT = {
    "type": "object",
    "description": "The consent record of a membership (or of a pending one): how and when it was asked for, from "
    "where, and when it was confirmed (double opt-in).",
    "required": ["listId", "state", "source", "createdAt", "doubleOptIn"],
    "properties": {
        "listId": {"type": "integer"},
        "state": {"enum": ["active", "pending"]},
        "source": {"enum": ConsentSource.values, "description": "Through what the address was subscribed."},
        "createdAt": {"type": "string", "format": "date-time"},
        "ip": {"type": ["string", "null"], "description": "The asking request's IP address, where there is one."},
        "userAgent": {"type": ["string", "null"]},
        "doubleOptIn": {"type": "boolean", "description": "Whether the membership needed a confirmation."},
        "confirmedAt": {"type": ["string", "null"], "format": "date-time"},
        "confirmIp": {"type": ["string", "null"], "description": "The confirming request's IP address."},
        "confirmUserAgent": {"type": ["string", "null"]},
    },
}

profile(
    "subscriber",
    "Subscriber",
    {
        "description": "A subscriber of the account, identified by the MD5 of its lowercased address.",
        "type": "object",
        "required": ["emailAddress", "emailMd5", "belongsToLists", "status", "_links"],
        "properties": {
            "emailAddress": {"type": "string", "format": "email"},
            "emailMd5": MD5,
            "belongsToLists": {"type": "array", "items": {"type": "integer"}},
            "status": {"enum": Status.values},
            "fields": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["fieldName", "value", "type"],
                    "properties": {"fieldName": {"type": "string"}, "value": {}, "type": {"type": "string"}},
                },
            },
            "creationDate": {"type": "string", "format": "date-time"},
            "unsubscribedAt": {"type": ["string", "null"], "format": "date-time"},
            "unsubscribeReason": {"type": ["string", "null"]},
            "pendingLists": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "Double opt-in lists the address asked to join and has not confirmed yet: not in "
                "belongsToLists, not counted, not sent campaigns.",
            },
            "consents": {"type": "array", "items": CONSENT},
            "_links": {"type": "array", "items": ref("link")},
        },
    },
)
profile(
    "subscribers-collection",
    "Subscribers collection",
    collection_schema("subscriber", "A page of subscribers (of an account, or the active ones of a list)."),
)
profile(
    "subscribe-input",
    "Subscribe",
    {
        "description": "Subscribe an address to a list; only the fields given are changed.",
        "type": "object",
        "required": ["emailAddress"],
        "properties": {
            "emailAddress": {"type": "string", "format": "email", "maxLength": 254},
            "fields": {"type": "array", "items": FIELD_ENTRY, "description": 'null or "" unsets a field.'},
            "resubscribe": {"type": "boolean", "default": False},
        },
    },
)
profile(
    "subscriber-input",
    "Subscriber (full representation)",
    {
        "description": "PUT body: lists and fields are replaced; a changed address renames the subscriber.",
        "type": "object",
        "required": ["emailAddress", "belongsToLists", "fields"],
        "properties": {
            "emailAddress": {"type": "string", "format": "email", "maxLength": 254},
            "belongsToLists": {"type": "array", "items": {"type": "integer"}},
            "status": {"enum": Status.values},
            "fields": {"type": "array", "items": FIELD_ENTRY},
        },
    },
)
profile(
    "unsubscribe-input",
    "Unsubscribe",
    {
        "type": "object",
        "properties": {
            "reason": {"type": ["string", "null"], "maxLength": 500},
            "origin": {"enum": ["admin", "user"], "default": "admin"},
        },
    },
)
profile(
    "contacts-page",
    "Contacts page (/api/v1)",
    page_schema(
        ref("subscriber"),
        "A page of contacts (the account's subscribers) by `limit` and `offset`, or by `cursor`.",
        {"type": "array", "items": ref("link")},
    ),
)
profile(
    "contact-input",
    "Contact (create)",
    {
        "description": "POST /api/v1/contacts: a new contact with its fields and lists.",
        "type": "object",
        "required": ["emailAddress"],
        "properties": {
            "emailAddress": {"type": "string", "format": "email", "maxLength": 254},
            "fields": {"type": "array", "items": FIELD_ENTRY},
            "lists": {"type": "array", "items": {"type": "integer"}},
            "resubscribe": {
                "type": "boolean",
                "default": False,
                "description": "Needed to add again an address that was erased.",
            },
        },
    },
)

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")
V1_AUTH = ("401.1-invalid-token", "401.2-missing-token")
rel(
    "contacts-collection",
    "Contacts (/api/v1)",
    "A page of the API key's account's contacts: `limit` with `offset`, or `cursor`; `sort_by` id, createdAt or "
    "email and `order`; filters `status`, `list`, `email` (the address or its domain starts with it), "
    "`created_after`, `created_before` and `field.<fieldName>`; in offset mode an exact `total`. POST creates a "
    "contact.",
    response_profile="contacts-page",
    problems=("400.3-invalid-parameter", *V1_AUTH),
)
rel(
    "create-contact",
    "Create a contact",
    "POST emailAddress, fields and lists: 201 with the contact; 409.3 when the address exists, 409.2 when it "
    "was erased (unless `resubscribe`).",
    method="POST",
    request_profile="contact-input",
    response_profile="subscriber",
    problems=("400.2-validation-error", "409.2-subscriber-suppressed", "409.3-email-in-use", *V1_AUTH),
)
rel(
    "contact",
    "Contact",
    "A contact: the subscriber's representation with /api/v1 links.",
    response_profile="subscriber",
    problems=("404.1-not-found", *V1_AUTH),
)
rel(
    "edit-contact",
    "Edit a contact",
    "PUT the full representation, as for a subscriber; answers the contact.",
    method="PUT",
    request_profile="subscriber-input",
    response_profile="subscriber",
    problems=("400.2-validation-error", "409.3-email-in-use", "404.1-not-found", *V1_AUTH),
)
rel(
    "erase-contact",
    "Erase a contact",
    "DELETE erases the personal data: the address and fields go, memberships go (counters stay exact), "
    "campaign messages keep their counts without the address, and the address's MD5 is suppressed so an import "
    "skips it and a subscribe answers 409.2 unless `resubscribe`. 204.",
    method="DELETE",
    problems=("404.1-not-found", *V1_AUTH),
)
rel(
    "subscribers-collection",
    "Subscribers",
    "A page of subscribers: of the account (filter `status`: "
    + ", ".join([*Status.values, NEVER_OPEN])
    + "), or the active subscribers of a list.",
    response_profile="subscribers-collection",
    problems=("400.3-invalid-parameter", "404.1-not-found", *AUTH),
)
rel(
    "subscribe-to-list",
    "Subscribe to a list",
    "POST an address (and fields) to add it to the list: 201 for a new subscriber, 200 for an existing one, "
    "which is updated with only the data given. On a double opt-in list the membership is pending and a "
    "confirmation email is sent (once: a retried request sends no second one); an active member stays active.",
    method="POST",
    request_profile="subscribe-input",
    response_profile="message",
    problems=("400.24-missing-data", "400.2-validation-error", "409.2-subscriber-suppressed", "404.1-not-found", *AUTH),
)
rel(
    "remove-from-list",
    "Remove from a list",
    "DELETE the subscriber's membership of the list (or its pending one, with its consent record); the "
    "subscriber itself is kept.",
    method="DELETE",
    response_profile="message",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "subscriber",
    "Subscriber",
    "A subscriber: address, lists, status, fields.",
    response_profile="subscriber",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "edit-subscriber",
    "Edit a subscriber",
    "PUT the full representation: lists and fields are replaced; a changed emailAddress renames the "
    "subscriber (Location gives the new URL).",
    method="PUT",
    request_profile="subscriber-input",
    response_profile="message",
    problems=("400.24-missing-data", "400.2-validation-error", "409.3-email-in-use", "404.1-not-found", *AUTH),
)
rel(
    "unsubscribe",
    "Unsubscribe",
    "POST a reason (and `origin`: admin or user): the subscriber stops receiving campaigns.",
    method="POST",
    request_profile="unsubscribe-input",
    response_profile="message",
    problems=("400.2-validation-error", "404.1-not-found", *AUTH),
)

model(
    "subscriber",
    "Subscriber",
    "A person on the account's lists. `emailMd5`, the MD5 of the trimmed lowercased address, is its id. "
    "`status` is active, soft-bounce, hard-bounce, unsubscribed-by-user or unsubscribed-by-admin; an "
    "unsubscribed or hard-bounced subscriber is only reactivated by an explicit `resubscribe` or PUT.",
    profile="subscriber",
)
model("subscribers-collection", "Subscribers collection", "A page of subscribers.", profile="subscribers-collection")


def _template(view, **variables):
    return lambda account: url_template(view, {"account_name": account}, variables)


affordance(
    150,
    _template("list-subscribers", list_id="listId"),
    "/rels/subscribers-collection",
    "Subscribers in a list",
    templated=True,
)
affordance(151, _template("list-subscribers", list_id="listId"), "/rels/subscribe-to-list", "Subscribe", templated=True)
affordance(
    153,
    _template("list-subscriber", list_id="listId", email_md5="emailMd5"),
    "/rels/remove-from-list",
    "Remove a subscriber from a list",
    templated=True,
)
affordance(
    200,
    lambda account: url("subscriber-collection", account_name=account),
    "/rels/subscribers-collection",
    "Subscribers in account",
)
affordance(
    201, _template("subscriber-detail", email_md5="emailMd5"), "/rels/subscriber", "Subscriber details", templated=True
)
affordance(
    202,
    _template("subscriber-detail", email_md5="emailMd5"),
    "/rels/edit-subscriber",
    "Edit subscriber",
    templated=True,
)
affordance(
    203, _template("subscriber-unsubscribe", email_md5="emailMd5"), "/rels/unsubscribe", "Unsubscribe", templated=True
)
