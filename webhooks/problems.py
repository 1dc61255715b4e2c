from api.registry import problem

WEBHOOK_URL_REFUSED = problem(
    400,
    51,
    "webhook-url-refused",
    "The webhook's URL cannot be called.",
    "A webhook's `url` must be an `http` or `https` URL whose host resolves only to public unicast addresses "
    "(not private, loopback, link-local, multicast or reserved ones, nor an IPv6 form of such an IPv4 address): "
    "the server will not POST into its own network. `errors` names `url`; the problem does not say which address "
    "the host resolves to. A host that does not resolve yet is accepted, and each delivery checks it again.",
)
WEBHOOK_DISABLED = problem(
    409,
    11,
    "webhook-disabled",
    "The webhook is disabled.",
    "A delivery of a disabled webhook cannot be sent again. Enable the webhook first (`PUT` it with "
    '`"enabled": true`); a webhook the server disabled after its deliveries kept failing says why in `disabled`.',
)
TOO_MANY_WEBHOOKS = problem(
    409,
    12,
    "too-many-webhooks",
    "The account has as many webhooks as it may.",
    "An account has at most `WEBHOOK_MAX_ENDPOINTS` webhooks (20 by default): each event is sent to every one "
    "that listens. Delete one, or subscribe an existing one to more event types.",
)
