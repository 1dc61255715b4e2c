"""The one place where ``_links`` are made.

A link is ``{"href", "rel", "description"}`` (plus ``"templated": true`` for URI
templates). ``rel`` holds space-separated relation types: IANA names or
``/rels/<name>`` entries that must be declared in the registry.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.urls import reverse

from api.registry import REGISTRY

IANA_RELS = frozenset(
    {
        "self",
        "item",
        "collection",
        "parent",
        "index",
        "edit",
        "delete",
        "related",
        "first",
        "prev",
        "next",
        "last",
        "describedby",
        "help",
        "alternate",
    }
)


@lru_cache(maxsize=1024)  # the rels are literals of the code: a handful, checked once each
def check_rel(rel: str) -> str:
    for token in rel.split():
        if token in IANA_RELS:
            continue
        if not token.startswith("/rels/") or token[len("/rels/") :] not in REGISTRY.rels:
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
    """The relative href of a named route (``reverse`` keeps ``@`` in account names).

    A page of 50 items makes hundreds of hrefs: the route is reversed once per
    (route, account) and the other values are put into the cached template.
    """
    account_name = kwargs.pop("account_name", None)
    href = _route_template(viewname, account_name, tuple(sorted(kwargs)))
    for name, value in kwargs.items():
        href = href.replace(f"\x00{name}\x00", str(value), 1)
    return href


@lru_cache(maxsize=8192)
def _route_template(viewname: str, account_name: str | None, names: tuple[str, ...]) -> str:
    fixed = {"account_name": account_name} if account_name is not None else {}
    template = url_template(viewname, fixed, {name: name for name in names})
    for name in names:
        template = template.replace("{" + name + "}", f"\x00{name}\x00", 1)
    return template


def _sentinel(kwarg: str, index: int) -> str:
    """A value the kwarg's path converter accepts and that appears nowhere else in a URL."""
    if kwarg == "email_md5":
        return f"{index:x}".rjust(32, "e")
    if kwarg == "field_name":
        return f"Zsentinel{index}Z"
    if kwarg == "account_name":
        return f"sentinel{index}@sentinel.invalid"
    return str(987654320 + index)


def url_template(viewname: str, fixed: dict, variables: dict[str, str]) -> str:
    """A URI template such as ``/accounts/a/lists/{listId}``.

    ``variables`` maps a URL kwarg to its template variable: the route is
    reversed with sentinels its converters accept, then they become ``{variable}``.
    Cached, as ``url`` is: an account's index alone has some 25 templates.
    """
    return _url_template(viewname, tuple(sorted(fixed.items())), tuple(variables.items()))


@lru_cache(maxsize=8192)
def _url_template(viewname: str, fixed: tuple, variables: tuple) -> str:
    sentinels = {name: _sentinel(name, index) for index, (name, _) in enumerate(variables)}
    href = reverse(viewname, kwargs={**dict(fixed), **sentinels})
    for name, variable in variables:
        href = href.replace(sentinels[name], "{" + variable + "}", 1)
    return href


def account_home(account_name: str, rel: str = "/rels/account-home") -> dict:
    return link(url("account-index", account_name=account_name), rel, "Account Index")


@dataclass(frozen=True)
class SurfaceRoutes:
    """Route names of a resource on one surface: ``<prefix>-…`` under an account (the hypermedia surface), or
    ``v1-<prefix>-…`` without one (/api/v1). A resource's representations subclass it with their own routes, so
    one function builds both surfaces' JSON and only the hrefs differ."""

    prefix: str
    account_name: str | None = None

    def _url(self, name: str, **kwargs) -> str:
        if self.account_name is not None:
            kwargs["account_name"] = self.account_name
        return url(f"{self.prefix}-{name}", **kwargs)

    @property
    def hypermedia(self) -> bool:
        return self.account_name is not None

    def collection(self) -> str:
        return self._url("collection")

    def home(self) -> list[dict]:
        """The account's index link on the hypermedia surface; none on /api/v1."""
        return [account_home(self.account_name)] if self.hypermedia else []
