"""The kinds of background work the engine runs, each registered by the app that owns it.

An app declares its kinds in its own ``kinds.py`` (found by ``discover()`` when the tasks app is ready) with
``register(TaskKind(...))``; the engine never names a kind itself. Work that has no task row (single emails)
joins the sweeper's round with ``register_recovery``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


def job_name(func) -> str:
    """A job function's dotted name, as RQ records it (and finds the function by); a name stays as it is."""
    return func if isinstance(func, str) else f"{func.__module__}.{func.__qualname__}"


def _one() -> int:
    return 1


@dataclass(frozen=True)
class TaskKind:
    """What the engine needs to know about one kind of task.

    - ``type``: the task's ``type`` value, also in its representation.
    - ``run(task_id)``: the job. It gets the id only, re-reads the row, and is safe to run twice (it claims or
      joins the task through ``tasks.services`` first).
    - ``queue``: the RQ queue its jobs go to; ``runners()``: how many jobs each queuing starts (jobs that share
      one task join it, ``task_join``; a single runner claims it, ``task_claim``).
    - ``result_keys``: the counts its ``result`` reports; ``result(task)`` computes them when the row's own
      ``result`` is not the source (default: the row's value of each key, 0 when missing).
    - ``links(account_name, task)``: the related links its representation adds.
    - ``back_office(task)``: ``(label, admin URL)`` of what the task works on, for its back-office page (a
      campaign's page, an import's); None when there is none.
    - ``on_transition(task, previous)``: called inside the transaction that moved the task's status.
    - ``recover()``: called in each of the sweeper's rounds, after stale and lost tasks are requeued.
    - ``scope``: the area of ``api.scopes.AREAS`` its tasks belong to: a key reads them (the task, its errors,
      the collection's rows) with ``<scope>:read`` and acts on them (pause, start, stop) with ``<scope>:write``;
      None: only ``read`` and ``full`` keys.
    """

    type: str
    run: Callable[[int], None]
    title: str = ""
    queue: str = "default"
    runners: Callable[[], int] = _one
    result_keys: tuple[str, ...] = ()
    result: Callable | None = None
    links: Callable | None = None
    back_office: Callable | None = None
    on_transition: Callable | None = None
    recover: Callable[[], None] | None = None
    scope: str | None = None

    @property
    def job_name(self) -> str:
        return job_name(self.run)

    def result_of(self, task) -> dict:
        if self.result is not None:
            return self.result(task)
        return {key: (task.result or {}).get(key, 0) for key in self.result_keys}


@dataclass(frozen=True)
class Recovery:
    """Background work outside tasks that the sweeper also watches: ``recover()`` each round; while
    ``pending()`` is true the sweeper keeps running."""

    name: str
    recover: Callable[[], None]
    pending: Callable[[], bool]


_KINDS: dict[str, TaskKind] = {}
_RECOVERIES: dict[str, Recovery] = {}
# The registered types, in order: the task profile's enum is this very list, so it follows the registry.
TYPES: list[str] = []


class UnknownKind(LookupError):
    pass


def register(kind: TaskKind) -> TaskKind:
    known = _KINDS.get(kind.type)
    if known is not None and known != kind:
        raise ValueError(f"task kind {kind.type!r} is registered twice with different definitions")
    _KINDS[kind.type] = kind
    if kind.type not in TYPES:
        TYPES.append(kind.type)
    return kind


def register_recovery(name: str, recover: Callable[[], None], pending: Callable[[], bool]) -> None:
    _RECOVERIES[name] = Recovery(name, recover, pending)


def kind_of(type: str) -> TaskKind:
    try:
        return _KINDS[type]
    except KeyError:
        raise UnknownKind(f"no task kind {type!r} is registered") from None


def find(type: str) -> TaskKind | None:
    return _KINDS.get(type)


def kinds() -> list[TaskKind]:
    return list(_KINDS.values())


def recoveries() -> list[Recovery]:
    return list(_RECOVERIES.values())


def discover() -> None:
    """Import every installed app's ``kinds`` module: each registers its kinds."""
    autodiscover_modules("kinds")
