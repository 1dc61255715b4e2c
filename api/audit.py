"""The audit trail's hub: who is acting now, and the one call a service makes to record what it changed.

Who acts is set once, where the request or command enters: ``ApiKeyAuthentication`` (an API key: its prefix and
name), ``ActorMiddleware`` (a staff user in the admin), ``api.commands.AuditedCommand`` (a management command).
The write services (the one place every surface's writes go through) call ``record`` **inside the transaction of
the change**; the audit app registers the writer in its ``AppConfig.ready`` (``api`` imports no feature app), so
an entry commits or rolls back with its change, for one ``INSERT``. Without an actor (a worker's job, a
subscriber's click on a public page, the sweeper) nothing is recorded: the trail is of what people and their
programs asked for, not of the system's own work.
"""

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from api.logs import request_id_var

KEY, STAFF, COMMAND = "key", "staff", "command"
ACTOR_KINDS = (KEY, STAFF, COMMAND)


@dataclass(frozen=True)
class Actor:
    """``kind``: key, staff or command; ``id``: the key's prefix, the user's username, the command's name;
    ``name``: the key's name (empty for the others)."""

    kind: str
    id: str
    name: str = ""


@dataclass(frozen=True)
class Entry:
    account_id: int
    action: str  # "<object type>.<verb>": list.create, campaign.start
    object_type: str
    object_id: str
    actor: Actor
    request_id: str
    details: dict = field(default_factory=dict)


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)
# How many entries the current request (or command) recorded: the admin's fallback records only where none was.
_recorded: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("audit_recorded", default=None)
_writers: list[Callable[[Entry], None]] = []


def writer_register(write: Callable[[Entry], None]) -> None:
    if write not in _writers:
        _writers.append(write)


def key_actor(api_key) -> Actor:
    return Actor(KEY, api_key.prefix, api_key.name or "")


def staff_actor(user) -> Actor:
    return Actor(STAFF, user.get_username())


def command_actor(name: str) -> Actor:
    return Actor(COMMAND, name)


def current_actor() -> Actor | None:
    return _actor.get()


def act_as(actor: Actor | None) -> None:
    """The actor for the rest of the current scope (one opened by ``acting``, or the request's)."""
    _actor.set(actor)


@contextmanager
def acting(actor: Actor | None) -> Iterator[None]:
    """A scope with its own actor: whatever is set inside it is forgotten at its end."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def counting() -> Iterator[None]:
    """A request's (or a command's) scope: ``recorded_here`` counts the entries recorded inside it."""
    token = _recorded.set([0])
    try:
        yield
    finally:
        _recorded.reset(token)


def recorded_here() -> int:
    holder = _recorded.get()
    return holder[0] if holder is not None else 0


@contextmanager
def quiet() -> Iterator[None]:
    """Writes made inside are part of the caller's own, which it records once itself (a campaign paused pauses its
    task: one entry, ``campaign.pause``)."""
    with acting(None):
        yield


def record(*, account_id: int, action: str, object_type: str, object_id, details: dict | None = None) -> None:
    """One entry of the account's trail, in the caller's transaction; nothing without an actor."""
    actor = _actor.get()
    if actor is None or not _writers:
        return
    entry = Entry(
        account_id=account_id,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        actor=actor,
        request_id=request_id_var.get() or "",
        details=details or {},
    )
    for write in _writers:
        write(entry)
    holder = _recorded.get()
    if holder is not None:
        holder[0] += 1


class ActorMiddleware:
    """Each request starts with no actor and forgets its own at the end (threads serve many requests). A staff
    user signed in to the admin acts as themself there; an API key becomes the actor when it is authenticated."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting(None), counting():
            if request.path.startswith(ADMIN_PREFIX):
                user = request.user  # the admin reads it anyway: no extra query
                if user.is_authenticated and user.is_staff:
                    act_as(staff_actor(user))
            return self.get_response(request)


ADMIN_PREFIX = "/admin/"
