from api.registry import problem

TASK_ACTION_NOT_ALLOWED = problem(
    409,
    1,
    "task-action-not-allowed",
    "The action is not allowed in the task's current status.",
    "pause: queued or in-progress; start: paused, error, or in-progress with a stale heartbeat; "
    "stop and cancel: queued, in-progress or paused. The task's `_links` list the actions allowed now.",
)
CALLBACK_REFUSED = problem(
    400,
    41,
    "callback-refused",
    "The callback URL is not allowed.",
    "Callbacks must be http(s) URLs whose host resolves only to public unicast addresses: not private, "
    "loopback, link-local, multicast, unspecified or reserved, nor an IPv6 address that carries such an IPv4 "
    "one (IPv4-mapped, 6to4, NAT64) or a tunnel (IPv4-compatible, Teredo).",
)
