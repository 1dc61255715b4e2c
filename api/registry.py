"""The one registry of what the API documents: relations, profiles, models, problems.

Every rel, profile and problem type the server emits is declared here (apps add
theirs from their ``docs.py``), and the same entries feed ``/rels``,
``/schemas``, ``/models``, ``/errors``, the OpenAPI components and the account
index. Emitting something undeclared is a programming error caught at once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class RelDoc:
    name: str
    title: str
    description: str
    method: str = "GET"
    request_profile: str | None = None
    response_profile: str | None = None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileDoc:
    name: str
    title: str
    schema: dict


@dataclass(frozen=True)
class ModelDoc:
    name: str
    title: str
    description: str
    profile: str | None = None


@dataclass(frozen=True)
class ProblemType:
    status: int
    code: int
    slug: str
    title: str
    description: str = ""

    @property
    def key(self) -> str:
        return f"{self.status}.{self.code}-{self.slug}"

    @property
    def type(self) -> str:
        return f"/errors/{self.key}"


@dataclass(frozen=True)
class Affordance:
    """A link of the account index: ``href(account_name)`` gives its href."""

    order: int
    href: Callable[[str], str]
    rel: str
    description: str
    templated: bool = False


@dataclass
class Registry:
    rels: dict[str, RelDoc] = field(default_factory=dict)
    profiles: dict[str, ProfileDoc] = field(default_factory=dict)
    models: dict[str, ModelDoc] = field(default_factory=dict)
    problems: dict[str, ProblemType] = field(default_factory=dict)
    affordances: list[Affordance] = field(default_factory=list)
    # Each gives what the account index must tell an account now (an app's warnings: a webhook the server
    # disabled), as ``{"type", "detail", "href"}`` items of its ``notices``.
    notices: list[Callable] = field(default_factory=list)


REGISTRY = Registry()


def _add(table: dict, key: str, value) -> None:
    if key in table and table[key] != value:
        raise ValueError(f"{key!r} is registered twice with different definitions")
    table[key] = value


def rel(name: str, title: str, description: str, **kwargs) -> RelDoc:
    doc = RelDoc(name=name, title=title, description=description, **kwargs)
    _add(REGISTRY.rels, name, doc)
    return doc


def profile(name: str, title: str, schema: dict) -> ProfileDoc:
    full = {"$schema": JSON_SCHEMA_DIALECT, "$id": f"/schemas/{name}", "title": title, **schema}
    doc = ProfileDoc(name=name, title=title, schema=full)
    _add(REGISTRY.profiles, name, doc)
    return doc


def model(name: str, title: str, description: str, profile: str | None = None) -> ModelDoc:
    doc = ModelDoc(name=name, title=title, description=description, profile=profile)
    _add(REGISTRY.models, name, doc)
    return doc


def problem(status: int, code: int, slug: str, title: str, description: str = "") -> ProblemType:
    doc = ProblemType(status=status, code=code, slug=slug, title=title, description=description)
    _add(REGISTRY.problems, doc.key, doc)
    return doc


def affordance(order: int, href: Callable[[str], str], rel: str, description: str, templated=False):
    REGISTRY.affordances.append(Affordance(order, href, rel, description, templated))
    REGISTRY.affordances.sort(key=lambda a: a.order)


def notice_source(source: Callable) -> None:
    """``source(account)``: the notices the account index shows the account (none: an empty list)."""
    if source not in REGISTRY.notices:
        REGISTRY.notices.append(source)


def ref(profile_name: str) -> dict:
    """A JSON Schema reference to another profile."""
    return {"$ref": f"/schemas/{profile_name}"}
