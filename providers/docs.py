from api.registry import profile, ref
from providers import problems  # noqa: F401  (the problem types, for /errors)

profile(
    "provider-events-result",
    "Provider events result",
    {
        "description": "What a provider's event webhook post was made of: each event, in order, with its outcome.",
        "type": "object",
        "required": ["provider", "received", "recorded", "results", "_links"],
        "properties": {
            "provider": {"type": "string", "description": "The provider, as in the webhook's URL."},
            "received": {"type": "integer", "minimum": 0, "description": "Events in the post."},
            "recorded": {"type": "integer", "minimum": 0, "description": "Events that changed something."},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["event", "messageId", "outcome"],
                    "properties": {
                        "event": {
                            "type": "string",
                            "description": "anymail's normalised event type: queued, sent, delivered, bounced, "
                            "rejected, deferred, complained, unsubscribed, opened, clicked, …",
                        },
                        "messageId": {"type": ["string", "null"], "description": "The provider's message id."},
                        "outcome": {"enum": ["recorded", "already-recorded", "ignored", "unknown-message"]},
                    },
                },
            },
            "_links": {"type": "array", "items": ref("link")},
        },
    },
)
