"""What an API key may do: its scopes, and the one check every authenticated view runs.

A key holds one or more scopes: ``full`` (everything), ``read`` (every read, in every area, today's and
tomorrow's), or ``<area>:read`` / ``<area>:write`` for one area of the API (``AREAS``); ``write`` implies ``read``
in its area. A key issued without scopes (every key made before scopes existed) has ``full``.

Each view declares once, as its class attribute ``scope``, what a request needs (``ScopedAccess``):

- ``"lists"``: an area, method-aware: ``GET``, ``HEAD`` and ``OPTIONS`` need ``lists:read``, other methods
  ``lists:write``;
- ``"lists:read"``: that scope whatever the method (a ``POST`` that only reads, such as counting a segment);
- ``EVERY_KEY``: any valid key of the account (the account index: links only);
- an object with ``scopes(method) -> tuple[str, ...]``: any one of them will do (a task's kind decides its
  area: the view narrows it with ``require_scope`` once it has the row).

A view that declares nothing needs ``full`` (it fails closed), and the scope matrix
(``tests/keys/test_scope_matrix.py``) fails until it declares something.
"""

from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured

from api.problems import ApiProblem
from api.registry import problem

FULL, READ = "full", "read"
LEVELS = ("read", "write")
# The areas, in the order keys list their scopes; what each covers is documented in README (Access).
AREAS = {
    "lists": "lists, subscribers and contacts, fields, segments, signup forms, double opt-in confirmations",
    "imports": "imports into lists and the tasks of imports",
    "campaigns": "campaigns and their sending (start, pause, cancel, preview, test sends, A/B winners), "
    "templates, sending domains, the tasks of campaign sends",
    "emails": "single (transactional) emails: send, list, read",
    "analytics": "analytics of emails, campaigns and contacts",
    "exports": "exports of subscribers and campaign reports, and the tasks of exports",
    "keys": "the account's API keys: list, create (never with more rights than the key's own), revoke",
    "webhooks": "outgoing webhooks (reserved for the webhooks app; nothing needs it yet)",
    "audit": "the account's audit trail: who wrote what, when (read only: audit:write allows no more)",
}
ALL_SCOPES = (FULL, READ, *(f"{area}:{level}" for area in AREAS for level in LEVELS))
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EVERY_KEY = "*"


class _Undeclared:
    def __repr__(self):
        return "UNDECLARED"


UNDECLARED = _Undeclared()

MISSING_SCOPE = problem(
    403,
    5,
    "missing-scope",
    "The API key does not have the scope this request needs.",
    "The key is valid and of this account, but its scopes do not allow the request: `detail` and "
    "`requiredScopes` name the scope it lacks (any one of them would do). `full` allows everything, `read` every "
    "read; `<area>:write` allows reading and writing in its area. Ask for a key with that scope (README: Access).",
)


def level_of(method: str) -> str:
    return "read" if method.upper() in SAFE_METHODS else "write"


def area_scope(area: str | None, level: str) -> str:
    """The scope for ``level`` in ``area``; without an area (work no area owns), ``read`` or ``full``."""
    if area is None:
        return READ if level == "read" else FULL
    return f"{area}:{level}"


def grants(held: Iterable[str], needed: str) -> bool:
    """Whether scopes ``held`` allow what ``needed`` (one scope) allows."""
    held = set(held)
    if FULL in held:
        return True
    if needed in (FULL, READ):
        return needed in held
    area, _, level = needed.partition(":")
    if needed in held:
        return True
    return level == "read" and (READ in held or f"{area}:write" in held)


def beyond(held: Iterable[str], requested: Iterable[str]) -> list[str]:
    """The scopes of ``requested`` that ``held`` does not allow: a key holding ``held`` cannot give them."""
    held = list(held)
    return [scope for scope in requested if not grants(held, scope)]


def unknown(scopes: Iterable[str]) -> list[str]:
    return [scope for scope in scopes if scope not in ALL_SCOPES]


def normalise(scopes: Iterable[str]) -> list[str]:
    """Known scopes, each once, in ``ALL_SCOPES`` order, without those another one implies (``lists:read`` beside
    ``lists:write`` or ``read``; everything beside ``full``)."""
    chosen = set(scopes)
    if FULL in chosen:
        return [FULL]
    kept = [scope for scope in ALL_SCOPES if scope in chosen]
    return [scope for scope in kept if not any(other != scope and grants([other], scope) for other in kept)]


def needed_scopes(rule, method: str) -> tuple[str, ...]:
    """What a request with ``method`` needs under the declaration ``rule``: any one of the scopes (none: any key)."""
    if rule is UNDECLARED:
        return (FULL,)
    if rule == EVERY_KEY:
        return ()
    if isinstance(rule, str):
        return (rule,) if ":" in rule else (f"{rule}:{level_of(method)}",)
    return tuple(rule.scopes(method))


def check_declaration(rule, where: str) -> None:
    """A declaration is one of the forms above, naming known areas and scopes: a typo fails at import."""
    if rule is UNDECLARED or rule == EVERY_KEY or hasattr(rule, "scopes"):
        return
    if isinstance(rule, str) and (rule in AREAS or (rule in ALL_SCOPES and ":" in rule)):
        return
    raise ImproperlyConfigured(
        f"{where}.scope = {rule!r}: expected an area of api.scopes.AREAS, '<area>:read', "
        "'<area>:write', EVERY_KEY or an object with scopes(method)"
    )


def held_scopes(request) -> tuple[str, ...]:
    """The scopes of the request's key (``api.auth.AccountPrincipal``)."""
    return tuple(getattr(request.user, "scopes", ()))


def missing_scope(held: Iterable[str], needed: tuple[str, ...]) -> ApiProblem:
    held = list(held)
    wanted = " or ".join(needed)
    return ApiProblem(
        MISSING_SCOPE,
        f"This API key's scopes ({', '.join(held) or 'none'}) do not include {wanted}, which this request needs.",
        extra={"requiredScopes": list(needed)},
    )


class ScopedAccess:
    """Mixed into the authenticated base views (``api.views.AccountScopedView``, ``api.v1.V1View``): the view's
    ``scope`` declaration is checked on every request, after the key and its account, before anything is read."""

    scope = UNDECLARED

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_declaration(cls.scope, f"{cls.__module__}.{cls.__qualname__}")

    def check_scope(self, request) -> None:
        if not hasattr(self, request.method.lower()):
            return  # a method the resource does not take: its 405 comes next, whatever the key's scopes
        self.require_scope(*needed_scopes(type(self).scope, request.method))

    def require_scope(self, *needed: str) -> None:
        """Raise 403.5 unless the request's key holds one of ``needed`` (nothing needed: any key will do)."""
        if not needed:
            return
        held = held_scopes(self.request)
        if not any(grants(held, scope) for scope in needed):
            raise missing_scope(held, needed)
