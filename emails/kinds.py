"""Single emails are no task, but the sweeper watches them: each round gives up on those in flight too long and
requeues those whose job was lost; while any is queued or in flight the sweeper keeps running."""

import logging

from redis.exceptions import RedisError

from campaigns.journal import summary
from emails.selectors import single_emails_pending
from emails.services import single_emails_recover
from tasks.registry import register_recovery

logger = logging.getLogger("emails")


def _recover() -> None:
    try:
        recovered, requeued = single_emails_recover()
    except RedisError:
        logger.warning("single emails: no send journal can be read now; recovery waits")
        return
    if recovered or requeued:
        logger.warning(
            "single emails in flight too long recovered: %s; %s requeued", summary(recovered) or "none", requeued
        )


register_recovery("single-emails", _recover, single_emails_pending)
