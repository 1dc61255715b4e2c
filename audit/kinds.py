"""The audit trail is no task, but the sweeper prunes it: each round forgets the entries older than
AUDIT_RETENTION_DAYS (one indexed ``DELETE``), and the sweeper keeps running while any is left."""

import logging

from django.conf import settings

from audit.selectors import audit_prune_pending
from audit.services import audit_prune
from tasks.registry import register_recovery

logger = logging.getLogger("audit")


def _prune() -> None:
    pruned = audit_prune()
    if pruned:
        logger.info("audit trail: %s entries older than %s days pruned", pruned, settings.AUDIT_RETENTION_DAYS)


register_recovery("audit", _prune, audit_prune_pending)
