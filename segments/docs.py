from api.links import url, url_template
from api.pagination import collection_schema
from api.registry import affordance, model, profile, ref, rel
from api.v1 import page_schema
from segments import problems  # noqa: F401  (the group's problem types, for /errors)
from segments.conditions import FIELD_OPERATORS, MATCHES, MAX_CONDITIONS, MAX_DAYS, MAX_DEPTH, OPERATORS
from subscribers.models import Status

LINKS = {"type": "array", "items": ref("link")}
TIME = {"type": "string", "format": "date-time"}
DAYS = {"type": "integer", "minimum": 1, "maximum": MAX_DAYS}
ID = {"type": "integer", "minimum": 1}
MATCH = {"enum": list(MATCHES), "default": "all", "description": "all: every condition; any: at least one."}
FIELD_OPERATOR_NAMES = sorted({op for ops in FIELD_OPERATORS.values() for op in ops})
OPERATOR_TABLE = "; ".join(f"{type_}: {', '.join(ops)}" for type_, ops in FIELD_OPERATORS.items())


def _leaf(kind: str, operators, properties: dict, required=(), description: str = "") -> dict:
    return {
        "type": "object",
        "description": description,
        "required": ["kind", "operator", *required],
        "properties": {"kind": {"const": kind}, "operator": {"enum": list(operators)}, **properties},
    }


GROUP = {
    "type": "object",
    "description": f"A group: its conditions (conditions or groups again, {MAX_DEPTH - 1} levels deep at most).",
    "required": ["match", "conditions"],
    "properties": {"match": MATCH, "conditions": {"type": "array", "minItems": 1, "items": {"type": "object"}}},
}
profile(
    "segment-condition",
    "Segment condition",
    {
        "description": "One condition of a segment, or a group of them. Field operators by the field's type: "
        + OPERATOR_TABLE
        + ". isSet, isNotSet, isTrue and isFalse take no value; text compares case-insensitively.",
        "anyOf": [
            _leaf(
                "field",
                FIELD_OPERATOR_NAMES,
                {"field": {"type": "string"}, "value": {"type": ["string", "number"]}},
                ["field"],
                "A field's value (`value`: a number, a YYYY-MM-DD date, a text).",
            ),
            _leaf("status", OPERATORS["status"], {"value": {"enum": Status.values}}, ["value"], "The status."),
            _leaf("list", OPERATORS["list"], {"listId": ID}, ["listId"], "Membership of a list, whatever its status."),
            _leaf(
                "created",
                OPERATORS["created"],
                {"value": {"type": "string", "description": "ISO 8601 date or date-time."}, "days": DAYS},
                (),
                "When the subscriber was created: before/after `value`, or inLastDays `days`.",
            ),
            _leaf(
                "engagement",
                OPERATORS["engagement"],
                {"days": DAYS, "campaignId": ID, "url": {"type": "string"}},
                (),
                "openedInLastDays `days` (any email: the subscriber's last open), clickedInLastDays `days` (any "
                "campaign), neverOpened (no email opened ever), "
                "clickedLink `campaignId` and `url` (one of its tracked links), received `campaignId` (sent to them).",
            ),
            GROUP,
        ],
    },
)
CONDITIONS = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_CONDITIONS,
    "items": ref("segment-condition"),
    "description": f"At most {MAX_CONDITIONS} conditions and groups in all.",
}
BODY = {
    "segmentId": {"type": "integer"},
    "name": {"type": "string"},
    "match": MATCH,
    "conditions": CONDITIONS,
    "createdAt": TIME,
    "updatedAt": TIME,
    "_links": LINKS,
}
profile(
    "segment",
    "Segment",
    {
        "description": "A saved condition tree over the account's subscribers, evaluated when read.",
        "type": "object",
        "required": ["segmentId", "name", "match", "conditions", "_links"],
        "properties": BODY,
    },
)
profile("segments-collection", "Segments collection", collection_schema("segment", "A page of the account's segments."))
profile(
    "segments-page",
    "Segments page (/api/v1)",
    page_schema(ref("segment"), "A page of segments by `limit` and `offset`, or by `cursor`.", LINKS),
)
profile(
    "segment-conditions",
    "Segment conditions",
    {
        "description": "A condition tree to count without saving it.",
        "type": "object",
        "required": ["conditions"],
        "properties": {"match": MATCH, "conditions": CONDITIONS},
    },
)
profile(
    "segment-input",
    "Segment input",
    {
        "description": "The body to create or replace a segment. A bad condition answers 400.2, one error per "
        "condition, `field` its path (`conditions[1].conditions[0]`).",
        "type": "object",
        "required": ["name", "conditions"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "match": MATCH,
            "conditions": CONDITIONS,
        },
    },
)
profile(
    "segment-count",
    "Segment count",
    {
        "description": "What a condition tree matches now: every subscriber, and the active ones.",
        "type": "object",
        "required": ["match", "conditions", "count", "activeCount", "_links"],
        "properties": {
            "match": MATCH,
            "conditions": CONDITIONS,
            "count": {"type": "integer", "minimum": 0},
            "activeCount": {"type": "integer", "minimum": 0},
            "_links": LINKS,
        },
    },
)

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")
WRITE = ("400.24-missing-data", "400.2-validation-error", "400.38-duplicated-name", *AUTH)
rel(
    "segments-collection",
    "Segments",
    "A page of the account's segments (`page`, `per_page`; on /api/v1 `limit`, `offset`, `cursor`).",
    response_profile="segments-collection",
    problems=("400.3-invalid-parameter", *AUTH),
)
rel(
    "create-segment",
    "Create a segment",
    "POST a name and a condition tree; 201 with `Location`.",
    method="POST",
    request_profile="segment-input",
    response_profile="message",
    problems=WRITE,
)
rel(
    "count-segment",
    "Count a condition tree",
    "POST `match` and `conditions` to count what they match now, without saving a segment.",
    method="POST",
    request_profile="segment-conditions",
    response_profile="segment-count",
    problems=("400.24-missing-data", "400.2-validation-error", *AUTH),
)
rel(
    "segment",
    "Segment",
    "A segment: its name and condition tree.",
    response_profile="segment",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "edit-segment",
    "Edit a segment",
    "PUT the whole segment; campaigns that target it use the new conditions when they start.",
    method="PUT",
    request_profile="segment-input",
    response_profile="message",
    problems=(*WRITE, "404.1-not-found"),
)
rel(
    "delete-segment",
    "Delete a segment",
    "DELETE a segment no unfinished campaign targets or excludes.",
    method="DELETE",
    response_profile="message",
    problems=("404.1-not-found", "409.8-segment-in-use", *AUTH),
)
rel(
    "segment-subscribers",
    "Subscribers of a segment",
    "A page of the subscribers the segment matches now (any status), with their count.",
    response_profile="subscribers-collection",
    problems=("400.3-invalid-parameter", "404.1-not-found", *AUTH),
)

model(
    "segment",
    "Segment",
    "A saved condition tree (`match` all/any over `conditions`, groups nested) over the account's subscribers: "
    "field values by type, status, list membership, creation date and engagement. A campaign may target "
    "segments and exclude others; its recipients are fixed when it starts.",
    profile="segment",
)
model(
    "segments-collection",
    "Segments collection",
    "A page of segments, with the pagination envelope.",
    profile="segments-collection",
)


def _segment_template(view):
    return lambda account: url_template(view, {"account_name": account}, {"segment_id": "segmentId"})


affordance(
    600, lambda account: url("segment-collection", account_name=account), "/rels/segments-collection", "Segments"
)
affordance(
    601, lambda account: url("segment-collection", account_name=account), "/rels/create-segment", "Create a segment"
)
affordance(
    602, lambda account: url("segment-count", account_name=account), "/rels/count-segment", "Count a condition tree"
)
affordance(603, _segment_template("segment-detail"), "/rels/segment", "Segment details", templated=True)
affordance(604, _segment_template("segment-detail"), "edit /rels/edit-segment", "Edit a segment", templated=True)
affordance(605, _segment_template("segment-detail"), "delete /rels/delete-segment", "Delete a segment", templated=True)
affordance(
    606,
    _segment_template("segment-subscribers"),
    "/rels/segment-subscribers",
    "Subscribers of a segment",
    templated=True,
)
