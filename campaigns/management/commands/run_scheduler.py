"""Without Redis (the embedded default) there is no RQ scheduler: this loop stands in for it.

Every few seconds it runs the sweeper's recovery round (tasks.jobs.recover_round): it starts scheduled
campaigns whose time has come, requeues tasks whose worker stopped beating and recovers single emails,
from what the database says, so all survive a restart. `make run` starts it beside the server when
REDIS_URL is unset. Jobs it starts run in this process.
"""
import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

logger = logging.getLogger("campaigns")


class Command(BaseCommand):
    help = "Start due scheduled campaigns and resume stalled tasks, every --interval seconds (embedded mode)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=5.0)
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, interval: float, once: bool, **options):
        from tasks.jobs import recover_round

        while True:
            close_old_connections()
            try:
                recover_round()
            except Exception:  # a database hiccup: the next round tries again
                logger.exception("scheduler round failed")
            if once:
                return
            time.sleep(interval)
