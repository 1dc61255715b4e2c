"""A segment's condition tree, as the API takes it: checked against the account and normalised for storage.

Every bad condition gets one error naming its path (``conditions[1].conditions[0]``), all of them at once.
The stored tree holds values in their stored form (a country ``ar`` is ``AR``, a date-time is ISO 8601 UTC),
so the compiler (segments/compiler.py) trusts it.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from api.formats import iso
from api.query import date_time
from fields.types import InvalidValue, coerce
from subscribers.models import Status

MATCHES = ("all", "any")
MAX_DEPTH = 4  # groups inside groups
MAX_CONDITIONS = 50  # conditions and groups in the whole tree: one SQL query stays small
MAX_DAYS = 3650
MAX_TEXT = 1000
MAX_ID = 2**62

TEXT = ("equals", "contains", "startsWith", "isSet", "isNotSet")
CHOICE = ("equals", "isSet", "isNotSet")
FIELD_OPERATORS = {
    "string": TEXT,
    "email": TEXT,
    "gender": CHOICE,
    "country": CHOICE,
    "number": ("equals", "greaterThan", "lessThan", "isSet", "isNotSet"),
    "date": ("before", "after", "on", "isSet", "isNotSet"),
    "boolean": ("isTrue", "isFalse", "isSet", "isNotSet"),
}
WITHOUT_VALUE = frozenset({"isSet", "isNotSet", "isTrue", "isFalse"})
OPERATORS = {
    "status": ("is", "isNot"),
    "list": ("in", "notIn"),
    "created": ("before", "after", "inLastDays"),
    "engagement": ("openedInLastDays", "clickedInLastDays", "neverOpened", "clickedLink", "received"),
}
KINDS = ("field", *OPERATORS)


@dataclass(frozen=True)
class Lookups:
    """What the checks need to know of the account; the service fills it from the owning apps' selectors."""

    field_types: dict[str, str]
    list_exists: Callable[[int], bool]
    campaign_links: Callable[[int], list[str] | None]  # the campaign's tracked URLs, None: no such campaign


class Invalid(ValueError):
    pass


def check_tree(match, conditions, lookups: Lookups) -> tuple[dict, list[dict]]:
    """(the normalised tree ``{match, conditions}``, errors as ``{field, detail}``)."""
    errors: list[dict] = []
    if match not in MATCHES:
        errors.append({"field": "match", "detail": "must be all or any"})
    state = {"count": 0}
    normal = _conditions(conditions, "conditions", 1, lookups, errors, state)
    return {"match": match, "conditions": normal}, errors


def _conditions(conditions, path: str, depth: int, lookups, errors: list, state: dict) -> list:
    if not isinstance(conditions, list) or not conditions:
        errors.append({"field": path, "detail": "must be a non-empty array of conditions"})
        return []
    normal = []
    for index, condition in enumerate(conditions):
        here = f"{path}[{index}]"
        state["count"] += 1
        if state["count"] > MAX_CONDITIONS:
            errors.append({"field": here, "detail": f"a segment has at most {MAX_CONDITIONS} conditions and groups"})
            break
        if isinstance(condition, dict) and "conditions" in condition:
            if depth >= MAX_DEPTH:
                errors.append({"field": here, "detail": f"groups nest at most {MAX_DEPTH - 1} deep"})
                continue
            match = condition.get("match")
            if match not in MATCHES or set(condition) - {"match", "conditions"}:
                errors.append({"field": here, "detail": "a group is {match: all|any, conditions: [...]}"})
            inner = _conditions(condition["conditions"], f"{here}.conditions", depth + 1, lookups, errors, state)
            normal.append({"match": match, "conditions": inner})
            continue
        try:
            normal.append(_leaf(condition, lookups))
        except Invalid as exc:
            errors.append({"field": here, "detail": str(exc)})
    return normal


def _leaf(condition, lookups: Lookups) -> dict:
    if not isinstance(condition, dict):
        raise Invalid("must be a condition object or a group")
    kind = condition.get("kind")
    if kind not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)} (or the object a group: match and conditions)")
    operator = condition.get("operator")
    if kind == "field":
        return _field(condition, operator, lookups)
    if operator not in OPERATORS[kind]:
        raise Invalid(f"operator for {kind} must be one of {', '.join(OPERATORS[kind])}")
    return {"kind": kind, "operator": operator, **CHECKS[kind](condition, operator, lookups)}


def _only(condition: dict, allowed: set[str]) -> None:
    extra = sorted(set(condition) - allowed - {"kind", "operator"})
    if extra:
        raise Invalid(f"unexpected member(s) {', '.join(extra)}")


def _field(condition: dict, operator, lookups: Lookups) -> dict:
    name = condition.get("field")
    if not isinstance(name, str) or not name:
        raise Invalid("field must name a field of the account")
    type_ = lookups.field_types.get(name)
    if type_ is None:
        known = ", ".join(sorted(lookups.field_types))
        raise Invalid(f"unknown field '{name}'; fields: {known}")
    allowed = FIELD_OPERATORS[type_]
    if operator not in allowed:
        raise Invalid(f"operator for the {type_} field '{name}' must be one of {', '.join(allowed)}")
    normal = {"kind": "field", "field": name, "operator": operator}
    if operator in WITHOUT_VALUE:
        _only(condition, {"field"})
        return normal
    _only(condition, {"field", "value"})
    if "value" not in condition or condition["value"] is None:
        raise Invalid(f"{operator} needs a value")
    value = condition["value"]
    if operator in ("contains", "startsWith"):
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            raise Invalid(f"value must be 1 to {MAX_TEXT} characters")
        return {**normal, "value": value.strip()}
    try:
        # equals on an email compares text: a part of an address is no address
        stored = coerce("string" if type_ == "email" else type_, value)
    except InvalidValue as exc:
        raise Invalid(f"value {exc}") from None
    if stored == "":
        raise Invalid("value must not be empty (isNotSet finds subscribers without one)")
    return {**normal, "value": stored}


def _positive_id(condition: dict, name: str) -> int:
    value = condition.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise Invalid(f"{name} must be a positive integer")
    return value


def _days(condition: dict) -> int:
    days = condition.get("days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise Invalid(f"days must be an integer from 1 to {MAX_DAYS}")
    return days


def _status(condition, operator, lookups) -> dict:
    _only(condition, {"value"})
    if condition.get("value") not in Status.values:
        raise Invalid(f"value must be one of {', '.join(Status.values)}")
    return {"value": condition["value"]}


def _list(condition, operator, lookups) -> dict:
    _only(condition, {"listId"})
    list_id = _positive_id(condition, "listId")
    if not lookups.list_exists(list_id):
        raise Invalid(f"the account has no list {list_id}")
    return {"listId": list_id}


def _created(condition, operator, lookups) -> dict:
    if operator == "inLastDays":
        _only(condition, {"days"})
        return {"days": _days(condition)}
    _only(condition, {"value"})
    value = condition.get("value")
    try:
        if not isinstance(value, str):
            raise ValueError
        at = date_time(value.strip())
    except ValueError:
        raise Invalid("value must be an ISO 8601 date or date-time") from None
    return {"value": iso(at.astimezone(dt.UTC))}


def _engagement(condition, operator, lookups) -> dict:
    if operator in ("openedInLastDays", "clickedInLastDays"):
        _only(condition, {"days"})
        return {"days": _days(condition)}
    if operator == "neverOpened":
        _only(condition, set())
        return {}
    members = {"campaignId", "url"} if operator == "clickedLink" else {"campaignId"}
    _only(condition, members)
    campaign_id = _positive_id(condition, "campaignId")
    links = lookups.campaign_links(campaign_id)
    if links is None:
        raise Invalid(f"the account has no campaign {campaign_id}")
    if operator == "received":
        return {"campaignId": campaign_id}
    url = condition.get("url")
    if not isinstance(url, str) or url not in links:
        shown = ", ".join(links[:10]) if links else "none (it has not started)"
        raise Invalid(f"url must be a tracked link of campaign {campaign_id}; its links: {shown}")
    return {"campaignId": campaign_id, "url": url}


CHECKS = {"status": _status, "list": _list, "created": _created, "engagement": _engagement}
