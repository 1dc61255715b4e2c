"""Every route of the URL configuration, as the isolation test walks it.

A route is read from ``django.urls.get_resolver()`` recursively, so an endpoint added anywhere is
found without anyone listing it; its methods come from the view class it dispatches to.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

METHODS = ("get", "post", "put", "patch", "delete")
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    route: str  # the route as written, prefixes joined: "accounts/<str:account_name>/lists/<id:list_id>"
    name: str | None
    view_class: type | None

    @property
    def kwargs(self) -> list[str]:
        return [match["name"] for match in PARAMETER.finditer(self.route)]

    @property
    def methods(self) -> tuple[str, ...]:
        """The methods the view implements (HEAD and OPTIONS follow GET and the framework)."""
        if self.view_class is None:
            return ()
        return tuple(method for method in METHODS if hasattr(self.view_class, method))

    def path(self, values: dict[str, object]) -> str:
        return "/" + PARAMETER.sub(lambda match: str(values[match["name"]]), self.route)


def _view_class(pattern: URLPattern) -> type | None:
    callback = pattern.callback
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None)


def routes(resolver: URLResolver | None = None, prefix: str = "", stop_at=frozenset()) -> list[Route]:
    """Every route under ``resolver``; an include whose joined prefix is in ``stop_at`` is one Route."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route in stop_at:
                found.append(Route(route, entry.namespace, None))
            else:
                found.extend(routes(entry, route, stop_at))
        else:
            found.append(Route(route, entry.name, _view_class(entry)))
    return found
