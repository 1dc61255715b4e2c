"""Which of the account index's links a key may follow: a link is listed when its key's scopes allow the request
it leads to. What that request needs is read from where it is declared once, the target view's ``scope`` (for the
method the link's rel documents), so a link and its endpoint never disagree."""

import re
from functools import cache

from django.urls import Resolver404, resolve

from api.registry import REGISTRY, Affordance
from api.scopes import FULL, UNDECLARED, grants, needed_scopes

PLACEHOLDER = re.compile(r"\{([^}]*)\}")
SAMPLE_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SAMPLE_ACCOUNT = "index@example.com"


class UnresolvedAffordance(LookupError):
    pass


def _method(rel: str) -> str:
    name = next((part for part in rel.split() if part.startswith("/rels/")), "")
    doc = REGISTRY.rels.get(name.removeprefix("/rels/"))
    if doc is None:
        raise UnresolvedAffordance(f"{rel!r}: no such rel in the registry")
    return doc.method


def _sample(variable) -> str:
    """A value the route's converter takes for a templated href's variable: an MD5, a name or an id."""
    name = variable.group(1).lower()
    return SAMPLE_MD5 if name.endswith("md5") else "sample" if name.endswith("name") else "1"


def _view_scope(href: str):
    try:
        match = resolve(PLACEHOLDER.sub(_sample, href.split("?")[0]))
    except Resolver404:
        match = None
    view = getattr(match.func, "view_class", None) or getattr(match.func, "cls", None) if match else None
    if view is None or getattr(view, "scope", UNDECLARED) is UNDECLARED:
        raise UnresolvedAffordance(f"{href!r}: no view with a scope declaration answers it")
    return view.scope


@cache
def affordance_needs(affordance: Affordance) -> tuple[str, ...]:
    """Any one of these scopes lets a key follow ``affordance`` (none: any key); raises UnresolvedAffordance when
    its href leads to no declared view (tests/keys/test_account_index_links.py checks every one)."""
    return needed_scopes(_view_scope(affordance.href(SAMPLE_ACCOUNT)), _method(affordance.rel))


def allowed(affordance: Affordance, held) -> bool:
    try:
        needed = affordance_needs(affordance)
    except UnresolvedAffordance:
        needed = (FULL,)  # fails closed: shown to full-access keys only
    return not needed or any(grants(held, scope) for scope in needed)
