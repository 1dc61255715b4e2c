"""RQ entry point of single emails. A job gets ids only and is safe to run twice."""

from emails.delivery import email_deliver
from tasks.queue import enqueue_at


def deliver_single_email(message_id: int) -> None:
    """Send the single email; a retry is this job again, at its time (RQ's scheduler keeps it in Redis)."""
    retry_at = email_deliver(message_id=message_id)
    if retry_at is not None:
        enqueue_at(deliver_single_email, retry_at, message_id, queue="sending")
