from django.contrib.postgres.indexes import OpClass
from django.db import models

from api.counters import AccountBuckets


class Status(models.TextChoices):
    ACTIVE = "active"
    SOFT_BOUNCE = "soft-bounce"
    HARD_BOUNCE = "hard-bounce"
    UNSUBSCRIBED_BY_USER = "unsubscribed-by-user"
    UNSUBSCRIBED_BY_ADMIN = "unsubscribed-by-admin"


NEVER_OPEN = "never-open"  # a filter bucket: active and never opened a message
SUPPRESSED = frozenset({Status.HARD_BOUNCE, Status.UNSUBSCRIBED_BY_USER, Status.UNSUBSCRIBED_BY_ADMIN})
UNSUBSCRIBED = frozenset({Status.UNSUBSCRIBED_BY_USER, Status.UNSUBSCRIBED_BY_ADMIN})
STATUS_FILTERS = (*Status.values, NEVER_OPEN)  # what a collection's ``status`` filter accepts


# The part of an address after its "@" (addresses are stored lowercased, with one "@").
ADDRESS_DOMAIN = models.Func(
    models.F("email"), models.Value("@"), models.Value(2), function="split_part", output_field=models.CharField()
)


class Subscriber(models.Model):
    # Indexes are few on purpose: every one costs on each imported row. (account, …) composites
    # below serve the account lookups, so the foreign key gets no index of its own. No database
    # constraint either: a deferred foreign-key check per imported row halves import speed; Django
    # cascades deletes itself, and imports lock the list they write to (subscribers/bulk.py).
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="subscribers", db_index=False, db_constraint=False
    )
    email = models.CharField(max_length=254)
    email_md5 = models.CharField(max_length=32)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.ACTIVE)
    fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribe_reason = models.CharField(max_length=500, null=True, blank=True)
    last_open_at = models.DateTimeField(null=True, blank=True)
    # Messages that ended as soft bounces; at SOFT_BOUNCE_THRESHOLD an active subscriber becomes soft-bounce.
    soft_bounces = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "email_md5"], name="subscriber_unique_md5")]
        indexes = [
            models.Index(fields=["account", "id"], name="subscriber_account_id"),
            models.Index(fields=["account", "status", "id"], name="subscriber_account_status_id"),
            # /api/v1/contacts keyset pages sorted by email or creation time (api/v1.py).
            models.Index(fields=["account", "email", "id"], name="subscriber_account_email_id"),
            models.Index(fields=["account", "created_at", "id"], name="subscriber_account_created_id"),
            # The back office's search by the start of a domain (subscribers/search.py); PostgreSQL only
            # (migration 0005), one entry a row: a trigram index cost twice as much on imports.
            models.Index(OpClass(ADDRESS_DOMAIN, name="text_pattern_ops"), "account", name="subscriber_domain_account"),
        ]
        ordering = ["id"]

    def __str__(self):
        return self.email

    @property
    def buckets(self) -> frozenset[str]:
        """The counters this subscriber is counted in."""
        if self.status == Status.ACTIVE and self.last_open_at is None:
            return frozenset({self.status, NEVER_OPEN})
        return frozenset({self.status})


class Membership(models.Model):
    # (list, subscriber) and (list, id) serve list lookups; no database constraints (see Subscriber).
    list = models.ForeignKey(
        "lists.MailingList", on_delete=models.CASCADE, related_name="memberships", db_index=False, db_constraint=False
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="memberships", db_constraint=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["list", "subscriber"], name="membership_unique")]
        indexes = [models.Index(fields=["list", "id"], name="membership_list_id")]
        ordering = ["id"]


class MemberCount(models.Model):
    """Every member of a list, whatever their status (the ``list`` filter of /api/v1/contacts), kept exact by the
    database itself: triggers on the memberships' table move it in the statement that inserts or deletes them
    (subscribers/tally.py), set-based imports included. (``MailingList.subscribers_count`` counts the active
    members only, moved by the services.) No database constraint on the list: a deleted list's row goes in its
    ``post_delete``, after its memberships."""

    list = models.OneToOneField(
        "lists.MailingList", on_delete=models.DO_NOTHING, primary_key=True, related_name="+", db_constraint=False
    )
    count = models.BigIntegerField(default=0)


class SubscriberCreatedDay(models.Model):
    """How many of an account's subscribers were created each UTC day (their ``created_at``, which never
    changes), kept exact by triggers on the subscribers' table: a /api/v1/contacts page filtered by creation time
    sums the whole days of its range here and counts only the rows of its edge days (subscribers/tally.py)."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    day = models.DateField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="subscriber_created_day_unique")]


class StatusCount(AccountBuckets):
    """Subscribers of an account per status bucket (statuses and never-open), kept exact."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "bucket"], name="status_count_unique")]


class Suppression(models.Model):
    """An erased contact's address hash: importing or subscribing it again is refused (skipped in imports,
    409.2 on subscribe) unless the subscribe says ``resubscribe``, which removes the entry."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False)
    email_md5 = models.CharField(max_length=32)
    reason = models.CharField(max_length=40, default="erased")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "email_md5"], name="suppression_unique_md5")]


class ConsentSource(models.TextChoices):
    API = "api"
    FORM = "form"
    IMPORT = "import"
    ADMIN = "admin"


class Consent(models.Model):
    """How an address came to be on a list: the proof of consent GDPR and CAN-SPAM audits ask for.

    One row per (list, subscriber), written in the transaction that asks for the membership. On a list without
    double opt-in the membership exists from then on; on a double opt-in list the row is the *pending* membership
    (no ``Membership`` yet, so nothing counts or sends to it) until the link of the confirmation email confirms it
    (``confirmed_at`` and the confirming request's IP and user agent). The row goes with its membership (removal,
    erasure, the list's deletion) and with an unconfirmed request when the sweeper expires it: nothing is kept
    about someone who never agreed.
    """

    list = models.ForeignKey(
        "lists.MailingList", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consents", db_constraint=False)
    source = models.CharField(max_length=8, choices=ConsentSource.choices)
    created_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, null=True, blank=True)
    double_opt_in = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirm_ip = models.GenericIPAddressField(null=True, blank=True)
    confirm_user_agent = models.CharField(max_length=500, null=True, blank=True)
    # Confirmation emails queued for this request (the round of the next one's idempotency key), and when the
    # last one was: the pending membership expires DOUBLE_OPT_IN_HOURS after it. None: one is due (an import's).
    sends = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["list", "subscriber"], name="consent_unique_membership")]
        indexes = [
            # The sweeper's and the confirmation sender's reads: pending requests only, by when last sent.
            models.Index(
                fields=["sent_at"],
                name="consent_pending_sent",
                condition=models.Q(double_opt_in=True, confirmed_at__isnull=True),
            )
        ]
        ordering = ["id"]

    @property
    def pending(self) -> bool:
        return self.double_opt_in and self.confirmed_at is None
