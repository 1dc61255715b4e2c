"""URLs written with a trailing slash answer 308 to the route without it (the query string kept).

The received Blueprint writes some hrefs with a trailing slash (`/accounts/{a}/`, `…/tasks/?page=2`), and
routes here have none (APPEND_SLASH is off). Any path that only the catch-all matches, but that a route
matches once its trailing slashes are removed, is redirected there: 308 keeps the method and the body, so
a POST to `…/fields/` is a POST to `…/fields`. Paths whose route has a slash (`/admin/`, `/api/docs/`) match
as they are and are left alone; nothing else is ever a 404 because of its last slash.
"""

from django.http.response import HttpResponseRedirectBase
from django.urls import Resolver404, resolve

CATCH_ALL = "no-route"  # config/urls.py: the last pattern, a 404 problem


class HttpResponsePermanentRedirectKeepMethod(HttpResponseRedirectBase):
    status_code = 308


def canonical_path(path: str, urlconf=None) -> str | None:
    """The path without its trailing slashes when only that one has a route; else None."""
    if path == "/" or not path.endswith("/"):
        return None
    stripped = path.rstrip("/") or "/"
    if _route(path, urlconf) != CATCH_ALL:
        return None
    return stripped if _route(stripped, urlconf) not in (None, CATCH_ALL) else None


def _route(path: str, urlconf) -> str | None:
    try:
        return resolve(path, urlconf).url_name or ""
    except Resolver404:
        return None


class TrailingSlashRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = canonical_path(request.path_info, getattr(request, "urlconf", None))
        if target is None:
            return self.get_response(request)
        query = request.META.get("QUERY_STRING", "")
        prefix = request.path[: len(request.path) - len(request.path_info)]  # SCRIPT_NAME, when mounted below /
        location = prefix + target + (f"?{query}" if query else "")
        return HttpResponsePermanentRedirectKeepMethod(location)
