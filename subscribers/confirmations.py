"""The hook by which the app that sends confirmation emails (consent/) plugs into subscribing: this app decides
when one is due, that app makes and queues it (a module of its own, so services.py and subscriptions.py can both
ask without importing the emails)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Sender:
    send: Callable | None = None  # send(consent): queue this pending consent's confirmation, in the transaction
    due: Callable[[int], None] | None = None  # due(list_id): pending consents of the list wait for theirs


_sender = _Sender()


def register(*, send: Callable, due: Callable[[int], None]) -> None:
    _sender.send, _sender.due = send, due


def send(consent) -> bool:
    """Queue ``consent``'s confirmation; False when no sender is registered (it stays due)."""
    if _sender.send is None:
        return False
    _sender.send(consent)
    return True


def due(list_id: int) -> None:
    if _sender.due is not None:
        _sender.due(list_id)
