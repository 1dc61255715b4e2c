"""Who listens: per account, the event types its enabled endpoints subscribe to and the endpoints the server
disabled, cached in every process behind the shared Redis epoch (api/epoch_cache.py).

The hot paths ask this for every open, click and campaign batch (``api.events.wanted``): in a request the answer
is the epoch's (one Redis read per request, which authentication pays already); in a job (a campaign's sender)
it is trusted for ``JOB_CACHE_SECONDS``. Every write of an endpoint calls ``invalidate`` in its transaction, so
a request sees it at once and a job within those seconds; an event a job writes for an endpoint deleted
meanwhile finds nobody when it is dispatched, and is dropped then.
"""

from dataclasses import dataclass
from datetime import datetime

from api.epoch_cache import EpochCache
from webhooks.models import Endpoint

JOB_CACHE_SECONDS = 2.0


@dataclass(frozen=True)
class Disabled:
    endpoint_id: int
    url: str
    detail: str
    at: datetime


@dataclass(frozen=True)
class Listening:
    types: frozenset[str]
    disabled: tuple[Disabled, ...]  # disabled by the server, after their deliveries kept failing


_cache = EpochCache(outside_request_seconds=JOB_CACHE_SECONDS)


def _load(account_id: int) -> Listening:
    types, disabled = set(), []
    rows = Endpoint.objects.filter(account_id=account_id).values_list(
        "pk", "url", "event_types", "enabled", "disabled_reason", "disabled_detail", "disabled_at"
    )
    for pk, url, event_types, enabled, reason, detail, at in rows.order_by("pk"):
        if enabled:
            types.update(event_types)
        elif reason == "failures":
            disabled.append(Disabled(pk, url, detail, at))
    return Listening(frozenset(types), tuple(disabled))


def listening(account_id: int) -> Listening:
    return _cache.get(account_id, lambda: _load(account_id))


def subscribed(account_id: int) -> frozenset[str]:
    """The event types the account has an enabled endpoint for (the hub's question, api.events)."""
    return listening(account_id).types
