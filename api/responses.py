import datetime as dt

from django.utils.http import http_date
from rest_framework.response import Response

from api.registry import REGISTRY

DEFAULT_CACHE_CONTROL = "private, max-age=86400"


def hypermedia(
    data: dict,
    profile: str,
    *,
    status: int = 200,
    headers: dict | None = None,
    last_modified: dt.datetime | None = None,
) -> Response:
    """A JSON response naming its JSON Schema profile in the Content-Type; ``last_modified``: the row's last change,
    sent as ``Last-Modified`` (the ``ETag``, from the body, is ``api.conditional``'s)."""
    if profile not in REGISTRY.profiles:
        raise LookupError(f"profile {profile!r} is not declared in the registry")
    if last_modified is not None:
        headers = {**(headers or {}), "Last-Modified": http_date(last_modified.timestamp())}
    return Response(data, status=status, headers=headers, content_type=f"application/json; profile=/schemas/{profile}")


def message(text: str, links: list[dict], *, status: int = 200, headers: dict | None = None) -> Response:
    return hypermedia({"message": text, "_links": links}, "message", status=status, headers=headers)
