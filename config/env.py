"""Parsers for settings read from the environment.

Each parser fails loudly, naming the variable, so a typo in a deployment stops
start-up instead of running with a silently different configuration.
"""

import ipaddress
import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

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


# --- SMTP servers (EMAIL_TRANSPORTS) ------------------------------------------------------------------------

_SMTP_SCHEMES = {"smtp": ("none", 25), "smtp+starttls": ("starttls", 587), "smtps": ("ssl", 465)}
_SMTP_KEYS = {"name", "host", "port", "user", "password", "tls", "weight", "perSecond", "perHour"}


def _count(name: str, where: str, key: str, value, minimum: int) -> int:
    """A whole number of at least ``minimum`` (a JSON number or the text of one)."""
    try:
        number = int(value) if isinstance(value, str) else value
    except ValueError:
        number = None
    if isinstance(number, bool) or not isinstance(number, int) or number < minimum:
        raise ImproperlyConfigured(
            f"{name}: {where}: {key} must be a whole number of at least {minimum}, got {value!r}"
        )
    return number


def _smtp_server(name: str, where: str, entry: dict) -> dict:
    unknown = set(entry) - _SMTP_KEYS
    if unknown:
        raise ImproperlyConfigured(
            f"{name}: {where}: unknown key {min(unknown)!r} (known: {', '.join(sorted(_SMTP_KEYS))})"
        )
    host = entry.get("host")
    if not isinstance(host, str) or not host.strip() or any(c in host for c in " /?#@"):
        raise ImproperlyConfigured(f"{name}: {where}: host must be a host name or address, got {host!r}")
    tls = entry.get("tls", "none")
    if tls not in ("none", "starttls", "ssl"):
        raise ImproperlyConfigured(f"{name}: {where}: tls must be none, starttls or ssl, got {tls!r}")
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[tls]
    port = _count(name, where, "port", entry.get("port", default_port), 1)
    if port > 65535:
        raise ImproperlyConfigured(f"{name}: {where}: port must be at most 65535, got {port}")
    for key in ("user", "password", "name"):
        if not isinstance(entry.get(key, ""), str):
            raise ImproperlyConfigured(f"{name}: {where}: {key} must be a string, got {entry[key]!r}")
    return {
        "name": entry.get("name") or f"{host}:{port}",
        "host": host,
        "port": port,
        "username": entry.get("user", ""),
        "password": entry.get("password", ""),
        "use_tls": tls == "starttls",
        "use_ssl": tls == "ssl",
        "weight": _count(name, where, "weight", entry.get("weight", 1), 1),
        "per_second": _count(name, where, "perSecond", entry.get("perSecond", 0), 0),
        "per_hour": _count(name, where, "perHour", entry.get("perHour", 0), 0),
    }


def _smtp_url(name: str, where: str, url: str) -> dict:
    """``smtp[+starttls|s]://[user[:password]@]host[:port][?weight=…&perSecond=…&perHour=…&name=…]``."""
    try:
        parsed = urlparse(url)
        port = parsed.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {where}: not a valid URL ({exc}): {url!r}") from None
    if parsed.scheme not in _SMTP_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}: {where}: the scheme must be smtp, smtp+starttls or smtps, got {parsed.scheme!r}"
        )
    if parsed.path not in ("", "/") or parsed.fragment or parsed.params:
        raise ImproperlyConfigured(f"{name}: {where}: an SMTP URL has no path, got {url!r}")
    entry = {"host": parsed.hostname or "", "tls": _SMTP_SCHEMES[parsed.scheme][0]}
    if port is not None:
        entry["port"] = port
    if parsed.username:
        entry["user"] = unquote(parsed.username)
    if parsed.password:
        entry["password"] = unquote(parsed.password)
    for key, value in parse_qsl(parsed.query, keep_blank_values=True):
        if key not in ("weight", "perSecond", "perHour", "name") or key in entry:
            raise ImproperlyConfigured(
                f"{name}: {where}: the query may give weight, perSecond, perHour and name once each, got {key!r}"
            )
        entry[key] = value
    return _smtp_server(name, where, entry)


def env_smtp_servers(name: str) -> list[dict]:
    """SMTP servers: a JSON array of objects (``host``, ``port``, ``user``, ``password``, ``tls``: none, starttls
    or ssl, ``weight``, ``perSecond``, ``perHour``, ``name``), or SMTP URLs separated by spaces or commas
    (``smtp+starttls://user:password@host:587?weight=3&perSecond=100``). Empty when unset."""
    value = _raw(name)
    if not value:
        return []
    if value.startswith("["):
        try:
            entries = json.loads(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} is not valid JSON ({exc})") from None
        if not entries or not all(isinstance(entry, dict) for entry in entries):
            raise ImproperlyConfigured(f"{name} must be a JSON array of objects, one per SMTP server")
        servers = [_smtp_server(name, f"server {i + 1}", entry) for i, entry in enumerate(entries)]
    else:
        urls = [url for url in re.split(r"[\s,]+", value) if url]
        servers = [_smtp_url(name, f"server {i + 1}", url) for i, url in enumerate(urls)]
    names = [server["name"] for server in servers]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise ImproperlyConfigured(f"{name}: two servers are named {duplicate!r} (give each its own name)")
    return servers
