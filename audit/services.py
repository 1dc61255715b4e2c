"""The audit trail's writes: an entry (in the caller's transaction), and the pruning of old ones."""

from datetime import datetime

from api.audit import Entry
from audit.models import AuditEntry
from audit.selectors import audit_cutoff


def audit_entry_write(entry: Entry) -> None:
    """One ``INSERT``, in the transaction of the change it records."""
    AuditEntry.objects.create(
        account_id=entry.account_id,
        actor_kind=entry.actor.kind,
        actor_id=entry.actor.id[:150],
        actor_name=entry.actor.name[:200],
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id[:64],
        request_id=entry.request_id,
        details=entry.details,
    )


def audit_prune(*, before: datetime | None = None) -> int:
    """Forget the entries older than ``before`` (default: ``AUDIT_RETENTION_DAYS`` ago); how many."""
    deleted, _ = AuditEntry.objects.filter(at__lt=before or audit_cutoff()).delete()
    return deleted
