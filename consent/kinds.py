"""Double opt-in is no task, but the sweeper watches it: each round expires the pending memberships whose
confirmation window passed and requeues the confirmations an import left due whose job was lost; while any
membership is pending the sweeper keeps running."""

import logging

from consent.services import double_opt_in_round
from subscribers.consents import consents_pending_exist
from tasks.registry import register_recovery

logger = logging.getLogger("consent")


def _recover() -> None:
    expired, requeued = double_opt_in_round()
    if expired or requeued:
        logger.info("double opt-in: %s pending memberships expired; due confirmations requeued: %s", expired, requeued)


register_recovery("double-opt-in", _recover, consents_pending_exist)
