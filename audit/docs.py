from api.audit import ACTOR_KINDS
from api.links import url
from api.pagination import collection_schema
from api.registry import affordance, model, profile, ref, rel
from api.v1 import page_schema

LINKS = {"type": "array", "items": ref("link")}
ENTRY = {
    "auditId": {"type": "integer"},
    "at": {"type": "string", "format": "date-time", "description": "When the write committed (its transaction)."},
    "actor": {
        "type": "object",
        "description": "Who wrote: `key` (`id` the API key's prefix, `name` its name), `staff` (`id` the staff "
        "user's username, in the admin) or `command` (`id` the management command's name).",
        "required": ["kind", "id", "name"],
        "properties": {
            "kind": {"enum": list(ACTOR_KINDS)},
            "id": {"type": "string"},
            "name": {"type": "string"},
        },
    },
    "action": {
        "type": "string",
        "pattern": "^[a-z-]+\\.[a-z-]+$",
        "description": "`<objectType>.<verb>`: `list.create`, `subscriber.update`, `campaign.start`, `key.revoke`…",
    },
    "objectType": {"type": "string"},
    "objectId": {"type": "string", "description": "The object's id (a subscriber's `emailMd5`)."},
    "requestId": {"type": "string", "description": "The request's `X-Request-ID`; empty for a command."},
    "details": {"type": "object", "description": "A few words more: a name, a status, the fields changed."},
    "_links": LINKS,
}
profile(
    "audit-entry",
    "Audit entry",
    {
        "description": "One write to the account's data: when, who, what action on which object, in which request.",
        "type": "object",
        "required": list(ENTRY),
        "properties": ENTRY,
    },
)
profile(
    "audit-trail",
    "Audit trail",
    collection_schema("audit-entry", "A page of the account's audit trail, newest first."),
)
profile(
    "audit-page",
    "Audit trail page (/api/v1)",
    page_schema(ref("audit-entry"), "A page of the audit trail by `limit` and `offset`, or by `cursor`.", LINKS),
)
rel(
    "audit-trail",
    "Audit trail",
    "Every write made with the account's API keys, by staff in the admin, or by a management command: newest first "
    "(`page`, `per_page`; on /api/v1 `limit`, `offset`, `cursor`, `sort_by`, `order`), filtered by `actor`, "
    "`actorKind`, `action`, `objectType`, `objectId`, `since` and `until`. Kept `AUDIT_RETENTION_DAYS` days.",
    response_profile="audit-trail",
    problems=("400.3-invalid-parameter", "401.1-invalid-token", "403.1-forbidden-wrong-account"),
)
model(
    "audit-entry",
    "Audit entry",
    "A write recorded in the same transaction: the actor (API key, staff user or command), the action, the object "
    "and the request id.",
    profile="audit-entry",
)
affordance(920, lambda account: url("audit-collection", account_name=account), "/rels/audit-trail", "Audit trail")
