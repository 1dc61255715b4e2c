"""Without Redis (the embedded default) there is no RQ scheduler: this loop stands in for it.

Every few seconds it runs the sweeper's recovery round (tasks.sweeper.recover_round): it requeues tasks
whose worker stopped beating, and each registered kind and recovery does its own (scheduled campaigns whose
time has come start, single emails in flight are recovered), from what the database says, so all survive
a restart. `make run` starts it beside the server when
REDIS_URL is unset. Jobs it starts run in this process.
"""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from tasks.sweeper import recover_round

logger = logging.getLogger("tasks")


class Command(BaseCommand):
    help = (
        "The sweeper's recovery round every --interval seconds (embedded mode): stalled tasks resume, and "
        "each registered kind and recovery does its own (due scheduled campaigns start, for one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=5.0)
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, interval: float, once: bool, **options):
        while True:
            close_old_connections()
            try:
                recover_round()
            except Exception:  # a database hiccup: the next round tries again
                logger.exception("scheduler round failed")
            if once:
                return
            time.sleep(interval)
