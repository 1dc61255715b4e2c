from rest_framework.response import Response

from api.registry import REGISTRY

DEFAULT_CACHE_CONTROL = "private, max-age=86400"


def hypermedia(data: dict, profile: str, *, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON response naming its JSON Schema profile in the Content-Type."""
    if profile not in REGISTRY.profiles:
        raise LookupError(f"profile {profile!r} is not declared in the registry")
    return Response(data, status=status, headers=headers, content_type=f"application/json; profile=/schemas/{profile}")


def message(text: str, links: list[dict], *, status: int = 200, headers: dict | None = None) -> Response:
    return hypermedia({"message": text, "_links": links}, "message", status=status, headers=headers)
