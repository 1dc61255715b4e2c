"""The core's own answers: the general entry point, an account's index and the health probes."""

from api.affordances import allowed
from api.links import link, url, url_template
from api.registry import REGISTRY
from api.scopes import FULL

WELCOME = "Welcome to Email Marketing Hypermedia API"


def root(account_name: str | None) -> dict:
    """``/``: the account link is personal when the request carried a valid key (``account_name``)."""
    if account_name is not None:
        home = link(url("account-index", account_name=account_name), "/rels/account-home", "Account Index")
    else:
        home = link(
            url_template("account-index", {}, {"account_name": "accountName"}),
            "/rels/account-home",
            "Account Index",
            templated=True,
        )
    return {"message": WELCOME, "_links": [link("/", "self index", "General Index"), home]}


def account_index(account_name: str, notices: list[dict] = (), scopes=(FULL,)) -> dict:
    """The account's entry point: the affordances a key holding ``scopes`` may follow (api/affordances.py), and
    what the account must be told (``notices``, only when there is something to say)."""
    links = [
        link("/", "parent index", "General Index"),
        link(url("account-index", account_name=account_name), "self /rels/account-home", "Account Index"),
    ]
    links.extend(
        link(a.href(account_name), a.rel, a.description, templated=a.templated)
        for a in REGISTRY.affordances
        if allowed(a, scopes)
    )
    if notices:
        return {"message": WELCOME, "notices": list(notices), "_links": links}
    return {"message": WELCOME, "_links": links}


def health(status: str, checks: dict[str, str] | None = None, *, self_href: str) -> dict:
    body = {"status": status}
    if checks is not None:
        body["checks"] = checks
    body["_links"] = [link(self_href, "self"), link("/", "index", "General Index")]
    return body
