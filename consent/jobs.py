"""RQ entry points of double opt-in. A job gets ids only and is safe to run twice."""

from consent.bulk import confirmations_send_due


def send_due_confirmations(list_id: int | None) -> None:
    """Queue the confirmation emails an import left due (of the list; None: of every list)."""
    confirmations_send_due(list_id=list_id)
