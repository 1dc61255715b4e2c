"""``_links`` repeated as an RFC 8288 ``Link`` header, for clients that read headers (and for ``HEAD`` and ``304``,
which have no body).

Every link of the body's top-level ``_links`` that is not a URI template goes into the header, in order, its
target as the body writes it (relative, resolved against the request's URL). RFC 8288 wants extension relation
types as absolute URIs: ``/rels/list`` is written ``PUBLIC_BASE_URL/rels/list``, the documentation page of the
relation; IANA names (``self``, ``next``…) stay as they are.
"""

from django.conf import settings
from django.utils.encoding import iri_to_uri


def _rel(rel: str) -> str:
    return " ".join(settings.PUBLIC_BASE_URL + token if token.startswith("/") else token for token in rel.split())


def link_header(links) -> str | None:
    values = []
    for item in links if isinstance(links, list) else ():
        if not isinstance(item, dict) or item.get("templated") or not isinstance(item.get("href"), str):
            continue
        target = iri_to_uri(item["href"]).replace(">", "%3E")
        values.append(f'<{target}>; rel="{_rel(str(item.get("rel", "")))}"')
    return ", ".join(values) or None


class LinkHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        data = getattr(response, "data", None)
        if isinstance(data, dict) and "_links" in data and not response.has_header("Link"):
            value = link_header(data["_links"])
            if value:
                response["Link"] = value
        return response
