"""The webhooks of apiary.apib's examples, reset before each Dredd transaction: webhook 901 (enabled, to a host
that does not resolve: its deliveries wait out their retries, nothing leaves the machine) with delivery 901 in
its log (a 500, then a 200), and webhook 902, which the server disabled after its deliveries kept failing (the
account index's notice)."""

from datetime import UTC, datetime

from django.db import transaction

from webhooks import signing
from webhooks.models import Attempt, Delivery, Endpoint, Event

WEBHOOK_ID, DISABLED_ID, DELIVERY_ID, EVENT_ID = 901, 902, 901, 901
CREATED = datetime(2015, 3, 2, 9, 0, tzinfo=UTC)
SEALED = []  # one sealed secret for the run


def _at(minute: int, second: int = 0) -> datetime:
    return CREATED.replace(minute=minute, second=second)


@transaction.atomic
def reset_webhooks(owner, *, disabled: bool = False) -> None:
    """Webhooks 901 and 902 and the log of 901 as the examples show them, and nothing else of the account's;
    ``disabled``: 901 is disabled too (its redelivery is refused)."""
    if not SEALED:
        SEALED.append(signing.seal(signing.new_secret()))
    Endpoint.objects.filter(account=owner).exclude(pk__in=(WEBHOOK_ID, DISABLED_ID)).delete()
    Attempt.objects.filter(delivery__endpoint__account=owner).exclude(delivery_id=DELIVERY_ID).delete()
    Delivery.objects.filter(endpoint__account=owner).exclude(pk=DELIVERY_ID).delete()
    Event.objects.filter(account=owner).exclude(pk=EVENT_ID).delete()
    common = {"account": owner, "secret": SEALED[0], "previous_secret": "", "previous_until": None}
    Endpoint.objects.update_or_create(
        pk=WEBHOOK_ID,
        defaults={
            **common,
            "url": "https://hooks.example.com/email",
            "description": "CRM sync",
            "event_types": ["subscriber.unsubscribed", "campaign.sent"],
            "enabled": not disabled,
            "disabled_reason": "account" if disabled else "",
            "disabled_detail": "Disabled by the account." if disabled else "",
            "disabled_at": _at(30) if disabled else None,
            "failures": 0,
            "deliveries_count": 1,
        },
    )
    Endpoint.objects.update_or_create(
        pk=DISABLED_ID,
        defaults={
            **common,
            "url": "https://old-crm.example.com/hooks",
            "description": "",
            "event_types": ["email.opened"],
            "enabled": False,
            "disabled_reason": "failures",
            "disabled_detail": "5 deliveries in a row failed after every retry; the last: HTTP 410",
            "disabled_at": _at(45),
            "failures": 5,
            "deliveries_count": 0,
        },
    )
    Endpoint.objects.filter(pk__in=(WEBHOOK_ID, DISABLED_ID)).update(created_at=CREATED, updated_at=CREATED)
    data = {
        "emailAddress": "john.smith@example.com",
        "emailMd5": "1bc5edb4799fd8eec67c66122f47eb73",
        "status": "unsubscribed-by-user",
        "fields": {"firstName": "John", "lastName": "Smith", "income": 450000},
        "reason": "Unsubscribed from campaign 'Spring sale'",
    }
    Event.objects.update_or_create(
        pk=EVENT_ID,
        defaults={
            "account": owner,
            "type": "subscriber.unsubscribed",
            "data": data,
            "created_at": _at(5),
            "dispatched_at": _at(5),
        },
    )
    Delivery.objects.update_or_create(
        pk=DELIVERY_ID,
        defaults={
            "endpoint_id": WEBHOOK_ID,
            "event_id": EVENT_ID,
            "status": "delivered",
            "attempts": 2,
            "next_attempt_at": _at(5, 30),
            "leased_until": None,
            "deadline_at": CREATED.replace(day=3, minute=5),
            "last_error": "",
            "created_at": _at(5),
            "finished_at": _at(5, 30),
        },
    )
    Attempt.objects.filter(delivery_id=DELIVERY_ID).delete()
    Attempt.objects.bulk_create(
        [
            Attempt(delivery_id=DELIVERY_ID, at=_at(5), status_code=500, duration_ms=84, error="HTTP 500"),
            Attempt(delivery_id=DELIVERY_ID, at=_at(5, 30), status_code=200, duration_ms=41, error=""),
        ]
    )
