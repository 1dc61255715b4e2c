"""The one place where ``_links`` are made.

A link is ``{"href", "rel", "description"}`` (plus ``"templated": true`` for URI
templates). ``rel`` holds space-separated relation types: IANA names or
``/rels/<name>`` entries that must be declared in the registry.
"""
from django.urls import reverse

from api.registry import REGISTRY

IANA_RELS = frozenset({
    "self", "item", "collection", "parent", "index", "edit", "delete", "related",
    "first", "prev", "next", "last", "describedby", "help", "alternate",
})


def check_rel(rel: str) -> str:
    for token in rel.split():
        if token in IANA_RELS:
            continue
        if not token.startswith("/rels/") or token[len("/rels/"):] not in REGISTRY.rels:
            raise LookupError(f"relation type {token!r} is not declared in the registry")
    return rel


def link(href: str, rel: str, description: str | None = None, *, templated: bool = False) -> dict:
    item = {"href": href, "rel": check_rel(rel)}
    if description:
        item["description"] = description
    if templated:
        item["templated"] = True
    return item


def url(viewname: str, **kwargs) -> str:
    """The relative href of a named route (``reverse`` keeps ``@`` in account names)."""
    return reverse(viewname, kwargs=kwargs)


def url_template(viewname: str, fixed: dict, variables: dict[str, str]) -> str:
    """A URI template such as ``/accounts/a/lists/{listId}``.

    ``variables`` maps a URL kwarg to its template variable. The route is
    reversed with unique numeric sentinels (valid for every converter we use),
    which are then replaced by ``{variable}``.
    """
    sentinels = {name: str(987654320 + index) for index, name in enumerate(variables)}
    href = reverse(viewname, kwargs={**fixed, **sentinels})
    for name, variable in variables.items():
        href = href.replace(sentinels[name], "{" + variable + "}", 1)
    return href


def account_home(account_name: str, rel: str = "/rels/account-home") -> dict:
    return link(url("account-index", account_name=account_name), rel, "Account Index")
