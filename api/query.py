"""Query parameters, parsed one way on both surfaces (``/accounts/…`` and ``/api/v1/…``, analytics included).

A bad value answers 400.3 (``invalid-parameter``) naming the parameter and what it accepts. The parsers a
collection's filters use (``choice``, ``date_time``, ``day``) raise ``ValueError`` with that description, which
the collection turns into the 400.
"""

import datetime as dt
import re
from collections.abc import Callable

from django.utils import timezone

from api.problems import INVALID_PARAMETER, ApiProblem

# Authentication (``?access_token=KEY``): accepted by every resource on top of its own parameters.
ALWAYS_ALLOWED = frozenset({"access_token"})
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"[0-9]{1,9}")


def invalid(name: str, detail: str, raw: str | None = None) -> ApiProblem:
    got = f"; got '{raw}'" if raw is not None else ""
    return ApiProblem(INVALID_PARAMETER, f"'{name}' {detail}{got}.", errors=[{"field": name, "detail": detail}])


def unknown_parameters(request, known: Callable[[str], bool]) -> list[str]:
    """The request's parameters, sorted, that are neither ``known`` nor always allowed."""
    return sorted(name for name in request.query_params if name not in ALWAYS_ALLOWED and not known(name))


def only_parameters(request, allowed: tuple[str, ...]) -> None:
    """400.3 unless every parameter is one of ``allowed`` (or always allowed)."""
    unknown = unknown_parameters(request, set(allowed).__contains__)
    if unknown:
        listed = ", ".join(allowed) or "none"
        raise ApiProblem(
            INVALID_PARAMETER,
            f"Unknown parameter '{unknown[0]}'; allowed: {listed}.",
            errors=[{"field": name, "detail": f"unknown parameter; allowed: {listed}"} for name in unknown],
        )


def integer_param(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise ApiProblem(
            INVALID_PARAMETER,
            f"'{name}' must be an integer from {low} to {high}, got '{raw}'.",
            errors=[{"field": name, "detail": f"must be an integer from {low} to {high}"}],
        )
    return int(raw)


def choice(values) -> Callable[[str], str]:
    values = list(values)

    def parse(raw: str) -> str:
        if raw not in values:
            raise ValueError(f"must be one of {', '.join(values)}")
        return raw

    return parse


def choice_param(request, name: str, allowed) -> str | None:
    """One of ``allowed``, or None when the parameter is absent or empty."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return choice(allowed)(raw)
    except ValueError as exc:
        raise invalid(name, str(exc), raw) from None


def day(raw: str) -> dt.date:
    """A calendar day written ``YYYY-MM-DD``."""
    try:
        if not _DAY.fullmatch(raw):
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError("must be a date as YYYY-MM-DD") from None


def date_param(request, name: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` day, or None when the parameter is absent or empty."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return day(raw)
    except ValueError as exc:
        raise ApiProblem(
            INVALID_PARAMETER, f"'{name}' {exc}, got '{raw}'.", errors=[{"field": name, "detail": str(exc)}]
        ) from None


def date_time(raw: str) -> dt.datetime:
    """An ISO 8601 date (its midnight) or date-time; naive ones are UTC."""
    try:
        value = (
            dt.datetime.fromisoformat(raw)
            if "T" in raw or " " in raw
            else dt.datetime.combine(dt.date.fromisoformat(raw), dt.time())
        )
    except ValueError:
        raise ValueError("must be an ISO 8601 date or date-time") from None
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)
