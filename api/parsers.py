"""The JSON parser of every API view: request limits checked before a view sees the data.

A body over MAX_JSON_BODY_BYTES is 413.1, nesting deeper than MAX_JSON_DEPTH 400.43, a string
(value or key) longer than MAX_JSON_STRING_LENGTH 413.2, an array or object with more than
MAX_JSON_ITEMS members 413.3. Imports read their own (much larger) bodies.
"""

from dataclasses import dataclass

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

from api.problems import JSON_STRING_TOO_LONG, JSON_TOO_DEEP, JSON_TOO_MANY_ITEMS, PAYLOAD_TOO_LARGE, ApiProblem


@dataclass(frozen=True)
class JsonLimits:
    body_bytes: int
    depth: int
    string_length: int
    items: int

    @classmethod
    def from_settings(cls) -> "JsonLimits":
        return cls(
            body_bytes=settings.MAX_JSON_BODY_BYTES,
            depth=settings.MAX_JSON_DEPTH,
            string_length=settings.MAX_JSON_STRING_LENGTH,
            items=settings.MAX_JSON_ITEMS,
        )


def json_path(path: tuple) -> str:
    """``("items", 3, "fields")`` → ``items[3].fields``; the body itself is ``$``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "$"


def _unwind(trail) -> tuple:
    """A trail is ``(parent_trail, key)`` or None: cheap to extend, made a path only for a problem."""
    parts = []
    while trail is not None:
        trail, key = trail
        parts.append(key)
    return tuple(reversed(parts))


def _limit_problem(problem_type, trail, detail: str) -> ApiProblem:
    where = json_path(_unwind(trail))
    return ApiProblem(problem_type, f"{where}: {detail}", errors=[{"field": where, "detail": detail}])


def too_deep(limit: int, trail=None) -> ApiProblem:
    return _limit_problem(JSON_TOO_DEEP, trail, f"JSON nested more than {limit} levels deep.")


def _too_long(what: str, text: str, limit: int, trail) -> ApiProblem:
    return _limit_problem(JSON_STRING_TOO_LONG, trail, f"A {what} of {len(text)} characters; the maximum is {limit}.")


def check_json_limits(data, limits: JsonLimits, *, check_strings: bool = True) -> None:
    """Walk the parsed body without recursion; raise the problem of the first limit exceeded.

    ``check_strings=False`` when the whole body is shorter than the string limit, so no string in it
    can be longer: then only the containers are visited, not every member.
    """
    if check_strings and isinstance(data, str) and len(data) > limits.string_length:
        raise _too_long("string", data, limits.string_length, None)
    if not isinstance(data, (dict, list)):
        return
    stack = [(data, 1, None)]
    while stack:
        container, depth, trail = stack.pop()
        if depth > limits.depth:
            raise too_deep(limits.depth, trail)
        if len(container) > limits.items:
            kind = "object" if isinstance(container, dict) else "array"
            raise _limit_problem(
                JSON_TOO_MANY_ITEMS, trail, f"An {kind} of {len(container)} members; the maximum is {limits.items}."
            )
        is_object = isinstance(container, dict)
        if check_strings:
            _check_strings(container, is_object, limits.string_length, trail)
        pairs = container.items() if is_object else enumerate(container)
        stack.extend((member, depth + 1, (trail, key)) for key, member in pairs if type(member) in _CONTAINERS)


_CONTAINERS = (dict, list)


def _check_strings(container, is_object: bool, limit: int, trail) -> None:
    """The longest key and string member first (at C speed); the loop only finds the culprit."""
    if is_object and container and max(map(len, container)) > limit:
        key = next(key for key in container if len(key) > limit)
        raise _too_long("key", key, limit, trail)
    members = container.values() if is_object else container
    strings = [member for member in members if type(member) is str]
    if strings and max(map(len, strings)) > limit:
        pairs = container.items() if is_object else enumerate(container)
        key, member = next((key, member) for key, member in pairs if type(member) is str and len(member) > limit)
        raise _too_long("string", member, limit, (trail, key))


def loads_nesting_checked(text: str | bytes, depth_limit: int, **kwargs):
    """``json.loads``, where nesting deep enough to exhaust the recursion limit is 400.43, not a 500."""
    try:
        return json.loads(text, **kwargs)
    except RecursionError:
        raise too_deep(depth_limit) from None


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limits = JsonLimits.from_settings()
        raw = stream.read(limits.body_bytes + 1)
        if len(raw) > limits.body_bytes:
            raise ApiProblem(PAYLOAD_TOO_LARGE, f"A JSON body may have at most {limits.body_bytes} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        strict = json.strict_constant if api_settings.STRICT_JSON else None
        try:
            data = loads_nesting_checked(raw.decode(encoding), limits.depth, parse_constant=strict)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        check_json_limits(data, limits, check_strings=len(raw) > limits.string_length)
        return data
