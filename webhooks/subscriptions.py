"""Who listens: per account, the event types its enabled endpoints subscribe to and the endpoints the server
disabled, cached in every process behind the shared Redis epoch (api/epoch_cache.py).

The hot paths ask this for every open, click and campaign batch (``api.events.wanted``): in a request with an API
key the answer is the epoch's (read once per request by the key's lookup already); in a job (a campaign's sender)
or a public page (an open pixel, a click, a signup form: no key, no epoch read) it is trusted for
``UNREAD_EPOCH_SECONDS`` rather than costing a Redis call. Every write of an endpoint calls ``invalidate`` in its
transaction: this process sees it at once, the API's requests everywhere at once, jobs and public pages elsewhere
within those seconds. An event written for an endpoint deleted meanwhile finds nobody when it is dispatched, and
is dropped then.
"""

from dataclasses import dataclass
from datetime import datetime

from api.epoch_cache import EpochCache
from webhooks.models import Endpoint

UNREAD_EPOCH_SECONDS = 2.0


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


_cache = EpochCache(unread_epoch_seconds=UNREAD_EPOCH_SECONDS)


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
