"""Origins (``scheme://host[:port]``) as a form lists them and as a browser sends them, and the URLs a form may
send a browser to: only on its allowed origins, so a form can never be made an open redirect."""

from urllib.parse import urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_ORIGINS = 20


class InvalidOrigin(ValueError):
    pass


def normalize_origin(value) -> str:
    """``HTTPS://Example.com:443`` → ``https://example.com``; anything with a path, a query, credentials or
    another scheme is refused."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidOrigin("must be an origin such as https://example.com")
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidOrigin("must be an origin such as https://example.com") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise InvalidOrigin("must be an http or https origin such as https://example.com")
    if parts.username or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InvalidOrigin("must be an origin only (scheme, host and port), with no path or query")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != DEFAULT_PORTS[scheme] else "")


def origin_of(url: str) -> str | None:
    """The origin of an absolute http(s) URL, None for anything else."""
    try:
        parts = urlsplit(url)
        if parts.username or parts.password:
            return None
        return normalize_origin(urlunsplit((parts.scheme, parts.netloc, "", "", "")))
    except InvalidOrigin:
        return None


def request_origin_allowed(origin: str | None, allowed) -> bool:
    """A browser's ``Origin`` header against the form's list (``null``, sent by sandboxed and file pages, never
    matches)."""
    if not origin or origin == "null":
        return False
    try:
        return normalize_origin(origin) in allowed
    except InvalidOrigin:
        return False


def with_query(url: str, **params) -> str:
    """``url`` with ``params`` added to its query (the error URL's ``error`` and ``field``)."""
    parts = urlsplit(url)
    extra = urlencode({name: value for name, value in params.items() if value})
    query = f"{parts.query}&{extra}" if parts.query and extra else (parts.query or extra)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
