"""Reads of the imports app: the back office's staged uploads (an import itself is a task: tasks.selectors)."""

from django.utils import timezone

from api.problems import NOT_FOUND, ApiProblem
from imports.models import StagedImport

GONE = "There is no such upload: it was started, canceled or has expired."


def import_staged_get(*, staged_id, user, lock: bool = False) -> StagedImport:
    """``user``'s staged upload, unexpired (its file loaded only when ``lock``: to start it); another user's is
    not found, as one that does not exist."""
    rows = StagedImport.objects.select_related("account", "list").filter(
        pk=staged_id, user=user, expires_at__gt=timezone.now()
    )
    rows = rows.select_for_update(of=("self",)) if lock else rows.defer("data")
    staged = rows.first()
    if staged is None:
        raise ApiProblem(NOT_FOUND, GONE)
    return staged


def imports_staged_pending() -> bool:
    """Whether any upload is staged: the sweeper keeps running until each has expired."""
    return StagedImport.objects.exists()
