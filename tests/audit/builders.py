"""The audit trail as tests read it: the entries a block of code added, straight from the table."""

from contextlib import contextmanager

from audit.models import AuditEntry


@contextmanager
def new_entries():
    """The entries written inside the block, oldest first (a list filled when the block ends)."""
    found: list[AuditEntry] = []
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    yield found
    found.extend(AuditEntry.objects.filter(id__gt=last).order_by("id"))


def one_entry(entries: list[AuditEntry]) -> AuditEntry:
    assert len(entries) == 1, [str(entry) for entry in entries]
    return entries[0]
