"""Parsers for settings read from the environment.

Each parser fails loudly, naming the variable, so a typo in a deployment stops
start-up instead of running with a silently different configuration.
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false/1/0), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from None
    if number != number or (minimum is not None and number < minimum):
        raise ImproperlyConfigured(f"{name} must be a number of at least {minimum}, got {value!r}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_addresses(name: str) -> list[str]:
    """A comma-separated list of IP addresses (IPv4 or IPv6); empty when unset."""
    addresses = env_list(name, [])
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be IP addresses, comma-separated; got {address!r}") from None
    return addresses


def env_origins(name: str) -> list[str]:
    """A comma-separated list of web origins, ``scheme://host[:port]`` (http or https, no path); empty by default."""
    origins = env_list(name, [])
    for origin in origins:
        try:
            parsed = urlparse(origin)
            parsed.port  # noqa: B018  (a malformed port raises)
        except ValueError:
            parsed = None
        if (
            parsed is None
            or parsed.scheme not in {"http", "https"}
            or not parsed.hostname
            or origin != (f"{parsed.scheme}://{parsed.netloc}")
        ):
            raise ImproperlyConfigured(f"{name} must list origins such as https://app.example.com, got {origin!r}")
    return origins


def env_url(name: str, *, schemes: set[str], default: str | None = None) -> str | None:
    value = env_str(name, default)
    if value is None:
        return None
    allowed = ", ".join(sorted(schemes))
    try:
        parsed = urlparse(value)
        parsed.port  # noqa: B018  (a port that is no number, or out of range, raises: refused at start, not per request)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid URL ({exc}), got {value!r}") from None
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        raise ImproperlyConfigured(f"{name} must be a URL with scheme {allowed}, got {value!r}")
    return value


def env_choice(name: str, choices: set[str], default: str) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(sorted(choices))}, got {value!r}")
    return value


def ensure_dir(name: str, path: Path) -> Path:
    """The directory ``path`` (the variable ``name``), created when missing."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{name} {str(path)!r} is not a directory that can be made: {exc.strerror}"
        ) from None
    return path
