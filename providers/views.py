"""POST /api/v1/webhooks/providers/{provider}: a provider's event webhook (providers/hooks.py checks it, anymail
reads it, ``anymail.signals.tracking`` carries each event to who applies it: campaigns/provider_events.py)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from api.openapi import responses
from api.responses import hypermedia
from providers.hooks import HOOKS, hook_for

PROFILE = "provider-events-result"


def _outcome(hook, event) -> str:
    """What the signal's receivers made of the event (the first that says), else ``ignored``."""
    answers = hook.signal.send(sender=type(hook), event=event, esp_name=hook.esp_name)
    return next((answer for _, answer in answers if isinstance(answer, str)), "ignored")


class ProviderWebhookView(APIView):
    # The provider's own authentication, not an API key (providers/hooks.py); its body is read by anymail.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        operation_id="v1_webhooks_provider",
        summary="A provider's event webhook",
        description="Events of an email service provider (delivered, bounced, complained, opened, clicked, "
        "unsubscribed…) in the provider's own format, authenticated as that provider does.",
        parameters=[OpenApiParameter("provider", str, OpenApiParameter.PATH, enum=sorted(HOOKS))],
        request={"application/json": {"type": ["object", "array"]}, "text/plain": {"type": "string"}},
        auth=[],
        responses=responses({200: PROFILE}, problems=(), extra_problems=(400, 401, 403, 404, 406, 413, 415)),
    )
    def post(self, request, provider: str):
        hook = hook_for(provider)
        events = hook.receive(request._request)
        outcomes = [_outcome(hook, event) for event in events]
        results = [
            {
                "event": event.event_type,
                "messageId": None if event.message_id is None else str(event.message_id),
                "outcome": outcome,
            }
            for event, outcome in zip(events, outcomes, strict=True)
        ]
        body = {
            "provider": provider,
            "received": len(events),
            "recorded": outcomes.count("recorded"),
            "results": results,
            "_links": [],
        }
        return hypermedia(body, PROFILE)
