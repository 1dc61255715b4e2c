"""Single emails are no task, but the sweeper watches them: each round gives up on those in flight too long and
requeues those whose job was lost; while any is queued or in flight the sweeper keeps running."""

import logging

from emails.selectors import single_emails_pending
from emails.services import single_emails_recover
from tasks.registry import register_recovery

logger = logging.getLogger("emails")


def _recover() -> None:
    abandoned, requeued = single_emails_recover()
    if abandoned or requeued:
        logger.warning("single emails: %s in flight too long became unknown, %s requeued", abandoned, requeued)


register_recovery("single-emails", _recover, single_emails_pending)
