import secrets

from django.db import models, transaction
from django.db.models.functions import Lower

from api.epoch_cache import invalidate


def new_signing_secret() -> str:
    return secrets.token_hex(32)


class InvalidatingQuerySet(models.QuerySet):
    """Rows every app server caches (api.epoch_cache): a write that bypasses ``save()`` and its signals
    invalidates those caches in its own transaction, or fails and changes nothing.

    Only the columns in ``CACHE_NEUTRAL`` (kept by each process itself) may change without it.
    """

    CACHE_NEUTRAL: frozenset = frozenset()

    def update(self, **kwargs):
        if set(kwargs) <= self.CACHE_NEUTRAL:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            count = super().update(**kwargs)
            if count:
                invalidate()
            return count

    update.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        with transaction.atomic(using=self.db):
            count = super().bulk_update(objs, fields, batch_size=batch_size)
            if count and not set(fields) <= self.CACHE_NEUTRAL:
                invalidate()
            return count

    bulk_update.alters_data = True


class InvalidatingModel(models.Model):
    """``save()`` in a transaction: the post_save signal's invalidation (accounts.signals) rolls it back if it
    fails, even in autocommit."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)


class ApiKeyQuerySet(InvalidatingQuerySet):
    CACHE_NEUTRAL = frozenset({"last_used_at"})  # written on use, once a minute; each process keeps its own


class Account(InvalidatingModel):
    """A company that sends newsletters; its name is an email address."""

    name = models.EmailField(max_length=254)
    signing_secret = models.CharField(
        max_length=64, default=new_signing_secret, help_text="Signs task callbacks (X-Signature, HMAC-SHA256)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Sending limits of this account (campaigns and single emails, every worker together); empty: the
    # SEND_RATE_PER_SECOND / SEND_RATE_PER_HOUR settings, 0: no limit.
    send_rate_per_second = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Messages per second at most (campaigns and single emails). Empty: the server's default "
        "(SEND_RATE_PER_SECOND); 0: no limit.",
    )
    send_rate_per_hour = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Messages per hour at most, over a sliding hour. Empty: the server's default (SEND_RATE_PER_HOUR); "
        "0: no limit.",
    )

    objects = InvalidatingQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("name"), name="account_name_unique_ci")]
        ordering = ["name"]

    def __str__(self):
        return self.name


def full_access() -> list[str]:
    return ["full"]


class ApiKey(InvalidatingModel):
    """A key is shown once; only its SHA-256 hash and a lookup prefix are kept. ``scopes`` (``api.scopes``) say what
    it may do; past ``expires_at`` it is refused like a revoked one."""

    PREFIX_LENGTH = 8

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, default="")
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Keys made before scopes existed get the default: full access, as they had.
    scopes = models.JSONField(default=full_access, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self):
        label = self.name or "key"
        return f"{label} ({self.prefix}…) of {self.account_id and self.account.name}"
