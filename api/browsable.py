"""The API in a browser: ``Accept: text/html`` (what a browser sends, not ``*/*``) gets a small page showing the
JSON, every ``href`` a link and every relation type a link to its documentation.

Everything from the representation is escaped; an ``href`` becomes a link only if it is a path of this server
or an http(s) URL. When the page was asked for with ``?access_token=``, its links carry it, so a person can
follow them. JSON stays the default: the JSON renderer comes first, so ``*/*`` and no ``Accept`` get JSON.
"""

import json
from urllib.parse import urlencode

from django.utils.html import escape
from rest_framework.renderers import BaseRenderer

IANA_REGISTRY = "https://www.iana.org/assignments/link-relations/link-relations.xhtml"
STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}"
    "pre{background:#f6f8fa;padding:1rem;overflow:auto;line-height:1.4}"
    "nav a{margin-right:1rem}a{color:#0550ae}"
)


def _linkable(href: str) -> bool:
    return (href.startswith("/") and not href.startswith("//")) or href.startswith(("http://", "https://"))


def _with_token(href: str, token: str | None) -> str:
    if token is None or not href.startswith("/") or "access_token=" in href:
        return href
    return href + ("&" if "?" in href else "?") + urlencode({"access_token": token})


def _anchor(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def _rel_links(rel: str) -> str:
    parts = [_anchor(token if token.startswith("/rels/") else IANA_REGISTRY, token) for token in rel.split()]
    return '"' + " ".join(parts) + '"'


def _scalar(value) -> str:
    return escape(json.dumps(value, ensure_ascii=False))


def _html(value, indent: int, token: str | None) -> str:
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        template = bool(value.get("templated"))
        members = []
        for key, item in value.items():
            if key == "href" and isinstance(item, str) and not template and _linkable(item):
                shown = '"' + _anchor(_with_token(item, token), item) + '"'
            elif key == "rel" and isinstance(item, str):
                shown = _rel_links(item)
            else:
                shown = _html(item, indent + 1, token)
            members.append(f"{inner}{_scalar(key)}: {shown}")
        return "{\n" + ",\n".join(members) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _html(item, indent + 1, token) for item in value) + "\n" + pad + "]"
    return _scalar(value)


def page(data, path: str, token: str | None) -> str:
    body = _html(data, 0, token) if data is not None else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(path)}</title><style>{STYLE}</style></head><body>"
        f"<nav>{_anchor(_with_token('/', token), 'Index')}{_anchor('/rels', 'Relation types')}"
        f"{_anchor('/api/docs/', 'API docs (OpenAPI)')}</nav>"
        f"<h1>{escape(path)}</h1><p>The JSON of this resource (ask for <code>application/json</code> to get it "
        "as such). Follow the links; each relation type links to its documentation. To browse an account, add "
        "<code>?access_token=YOUR_API_KEY</code> to the address: the links then carry it.</p>"
        f"<pre>{body}</pre></body></html>\n"
    )


class BrowsableHTMLRenderer(BaseRenderer):
    media_type = "text/html"
    format = "html"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        request, response = context.get("request"), context.get("response")
        if response is not None:
            response["Content-Type"] = "text/html; charset=utf-8"  # not the JSON profile the view named
        token = None
        if request is not None and "HTTP_AUTHORIZATION" not in request.META:
            token = request.query_params.get("access_token")
        return page(data, request.path if request is not None else "", token).encode()
