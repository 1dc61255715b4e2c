"""Webhook writes: endpoints (their URL checked as task callbacks' are, their secret made here and shown once),
a delivery sent again, and the old log forgotten. Every write of an endpoint moves the cache epoch in its
transaction (api/epoch_cache.py): every process then writes events for what the account listens to now."""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account
from api.audit import record
from api.epoch_cache import invalidate
from api.problems import ApiProblem
from tasks.callbacks import url_refusal
from tasks.queue import enqueue
from webhooks import signing, sql
from webhooks.delivery import QUEUE, deliver
from webhooks.models import Delivery, DeliveryStatus, Endpoint, Event
from webhooks.problems import TOO_MANY_WEBHOOKS, WEBHOOK_DISABLED, WEBHOOK_URL_REFUSED

# How long a rotated-out secret still signs beside the new one: receivers switch without losing a delivery.
ROTATION_OVERLAP = timedelta(hours=24)
FORGET_PER_ROUND = 5000


def webhook_url_check(url: str) -> None:
    refusal = url_refusal(url)
    if refusal is not None:
        raise ApiProblem(
            WEBHOOK_URL_REFUSED, f"Webhook URL refused: {refusal}.", errors=[{"field": "url", "detail": refusal}]
        )


def _enabled_state(endpoint: Endpoint, enabled: bool) -> None:
    if enabled == endpoint.enabled:
        return
    endpoint.enabled = enabled
    if enabled:  # whatever disabled it, a fresh start
        endpoint.disabled_reason, endpoint.disabled_detail, endpoint.disabled_at = "", "", None
        endpoint.failures = 0
    else:
        endpoint.disabled_reason, endpoint.disabled_detail = "account", "Disabled by the account."
        endpoint.disabled_at = timezone.now()


def _record(endpoint: Endpoint, verb: str, **details) -> None:
    record(
        account_id=endpoint.account_id,
        action=f"webhook.{verb}",
        object_type="webhook",
        object_id=endpoint.pk,
        details={"url": endpoint.url, **details},
    )


@transaction.atomic
def webhook_create(
    *, account, url: str, event_types: list[str], description: str = "", enabled: bool = True
) -> tuple[Endpoint, str]:
    """A new endpoint and its secret (``whsec_…``): the only time the secret is given out."""
    webhook_url_check(url)
    # The account's row locked: two creates cannot both pass the count below.
    list(Account.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True))
    if Endpoint.objects.filter(account=account).count() >= settings.WEBHOOK_MAX_ENDPOINTS:
        raise ApiProblem(
            TOO_MANY_WEBHOOKS, f"The account has {settings.WEBHOOK_MAX_ENDPOINTS} webhooks, as many as it may."
        )
    secret = signing.new_secret()
    endpoint = Endpoint(
        account=account, url=url, event_types=event_types, description=description, secret=signing.seal(secret)
    )
    _enabled_state(endpoint, enabled)
    endpoint.save()
    invalidate()
    _record(endpoint, "create")
    return endpoint, secret


@transaction.atomic
def webhook_update(
    *, endpoint: Endpoint, url: str, event_types: list[str], description: str = "", enabled: bool = True
) -> Endpoint:
    """PUT: the whole webhook. ``enabled`` true starts a disabled one anew (its failures forgotten)."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if url != endpoint.url:
        webhook_url_check(url)
    endpoint.url, endpoint.event_types, endpoint.description = url, event_types, description
    _enabled_state(endpoint, enabled)
    endpoint.save()
    invalidate()
    _record(endpoint, "update")
    return endpoint


@transaction.atomic
def webhook_delete(*, endpoint: Endpoint) -> None:
    """The endpoint and its log; its pending deliveries' jobs find nothing."""
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
    if endpoint is None:
        return
    sql.delete_endpoint_log(endpoint.pk)
    _record(endpoint, "delete")
    endpoint.delete()
    invalidate()


@transaction.atomic
def webhook_rotate_secret(*, endpoint: Endpoint) -> tuple[Endpoint, str]:
    """A new secret, given out once; the one it replaces signs beside it for ROTATION_OVERLAP (both signatures
    in ``webhook-signature``)."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = signing.new_secret()
    endpoint.previous_secret, endpoint.previous_until = endpoint.secret, timezone.now() + ROTATION_OVERLAP
    endpoint.secret = signing.seal(secret)
    endpoint.save(update_fields=["secret", "previous_secret", "previous_until", "updated_at"])
    _record(endpoint, "rotate-secret")
    return endpoint, secret


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Send the delivery's event again, now, with the same ``webhook-id``: it is pending again, with
    WEBHOOK_RETRY_HOURS of retries from now. Refused (409.11) while the webhook is disabled."""
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if not endpoint.enabled:
        raise ApiProblem(WEBHOOK_DISABLED, f"Webhook {endpoint.pk} is disabled: enable it before redelivering.")
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        deadline_at=now + timedelta(hours=settings.WEBHOOK_RETRY_HOURS),
        finished_at=None,
    )
    enqueue(deliver, delivery.pk, queue=QUEUE)
    _record(endpoint, "redeliver", deliveryId=delivery.pk)
    return Delivery.objects.get(pk=delivery.pk)


def webhook_log_forget(*, before) -> int:
    """Events made before ``before`` whose deliveries are all over (delivered or failed), with their deliveries
    and attempts: at most FORGET_PER_ROUND events a call. How many went."""
    with transaction.atomic():
        old = Event.objects.filter(created_at__lt=before, dispatched_at__isnull=False).exclude(
            deliveries__status=DeliveryStatus.PENDING
        )
        ids = list(old.order_by("id").values_list("pk", flat=True)[:FORGET_PER_ROUND])
        if not ids:
            return 0
        per_endpoint = Counter(sql.delete_events(ids))
        for endpoint_id, n in sorted(per_endpoint.items()):
            Endpoint.objects.filter(pk=endpoint_id).update(deliveries_count=F("deliveries_count") - n)
    return len(ids)
