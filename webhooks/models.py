from django.db import models
from django.db.models import Q


class Endpoint(models.Model):
    """A URL an account has the server POST its events to, signed the Standard Webhooks way with its secret."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="webhook_endpoints", db_index=False
    )
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True, default="")
    event_types = models.JSONField(default=list)  # names of api.events.TYPES
    # Sealed (webhooks/secrets.py): shown once, when made; the previous one signs too until `previous_until`.
    secret = models.TextField()
    previous_secret = models.TextField(blank=True, default="")
    previous_until = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    # Why it is disabled: "account" (its own PUT) or "failures" (deliveries kept failing); "" while enabled.
    disabled_reason = models.CharField(max_length=12, blank=True, default="")
    disabled_detail = models.CharField(max_length=1000, blank=True, default="")
    disabled_at = models.DateTimeField(null=True, blank=True)
    # Deliveries in a row that failed for good (every retry spent); a delivered one sets it back to 0.
    failures = models.PositiveIntegerField(default=0)
    # Its deliveries in the log, kept exact with them (the dispatch adds, forgetting the old log subtracts): a page
    # of the log never counts a busy endpoint's rows.
    deliveries_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["account", "id"], name="webhook_account_id")]
        ordering = ["id"]
        verbose_name = "webhook"

    def __str__(self):
        return self.url


class Event(models.Model):
    """The outbox: an event written in the transaction of the change it tells, dispatched to the matching
    endpoints afterwards (webhooks/outbox.py). Written only when an enabled endpoint of the account listens."""

    # No constraint in the database: the hottest insert of all (a campaign's batch) checks no key at its commit; the
    # account's own transaction writes it, and deleting an account deletes its events through the ORM.
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    type = models.CharField(max_length=40)
    data = models.JSONField()
    created_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["id"], name="webhook_event_waiting", condition=Q(dispatched_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.type} event {self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Delivery(models.Model):
    """One event for one endpoint: attempted until a 2xx, with backoff, until `deadline_at`."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # while pending: when its job should run
    # A job attempting it holds it until then (a worker that died lets it go when it passes).
    leased_until = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField()  # no attempt after it (WEBHOOK_RETRY_HOURS; a redelivery starts anew)
    last_error = models.CharField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)  # delivered, or given up

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_unique")]
        indexes = [
            models.Index(fields=["endpoint", "id"], name="webhook_delivery_endpoint_id"),
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_pending", condition=Q(status="pending")),
        ]
        ordering = ["-id"]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"delivery {self.pk} ({self.status})"


class Attempt(models.Model):
    """One POST of a delivery: when, the answer's status (null: none came), how long it took, what went wrong."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_rows", db_index=False)
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["delivery", "id"], name="webhook_attempt_delivery_id")]
        ordering = ["id"]
