from django.db import models
from django.utils import timezone

from api.audit import ACTOR_KINDS


class AuditEntry(models.Model):
    """One write an account's API key, a staff user or a command made: recorded in the write's transaction."""

    at = models.DateTimeField(default=timezone.now)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False)
    actor_kind = models.CharField(max_length=10, choices=[(kind, kind) for kind in ACTOR_KINDS])
    # The key's prefix, the staff user's username, or the command's name; and the key's name.
    actor_id = models.CharField(max_length=150)
    actor_name = models.CharField(max_length=200, blank=True, default="")
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True, default="")
    request_id = models.CharField(max_length=128, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [
            # The trail of an account, newest first, and its filters on time and object; pruning by time.
            models.Index(fields=["account", "id"], name="audit_account_id"),
            models.Index(fields=["account", "at"], name="audit_account_at"),
            models.Index(fields=["account", "object_type", "object_id"], name="audit_account_object"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self):
        return f"{self.action} {self.object_type} {self.object_id} by {self.actor_kind} {self.actor_id}"
