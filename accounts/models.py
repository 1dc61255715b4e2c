import secrets

from django.db import models
from django.db.models.functions import Lower


def new_signing_secret() -> str:
    return secrets.token_hex(32)


class Account(models.Model):
    """A company that sends newsletters; its name is an email address."""

    name = models.EmailField(max_length=254)
    signing_secret = models.CharField(
        max_length=64, default=new_signing_secret, help_text="Signs task callbacks (X-Signature, HMAC-SHA256)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("name"), name="account_name_unique_ci")]
        ordering = ["name"]

    def __str__(self):
        return self.name


class ApiKey(models.Model):
    """A key is shown once; only its SHA-256 hash and a lookup prefix are kept."""

    PREFIX_LENGTH = 8

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, default="")
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self):
        label = self.name or "key"
        return f"{label} ({self.prefix}…) of {self.account_id and self.account.name}"
