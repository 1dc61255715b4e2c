"""Without Redis (the embedded default) there is no RQ scheduler: this loop stands in for it.

Every few seconds it starts scheduled campaigns whose time has come and requeues tasks whose
worker stopped beating, from what the database says, so both survive a restart. `make run`
starts it beside the server when REDIS_URL is unset. Jobs it starts run in this process.
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
        from campaigns.services import campaigns_start_overdue
        from campaigns.emails import single_emails_recover
        from tasks.services import tasks_requeue_stale

        while True:
            close_old_connections()
            try:
                started, requeued = campaigns_start_overdue(), tasks_requeue_stale()
                abandoned, requeued_emails = single_emails_recover()
                if started or requeued or abandoned or requeued_emails:
                    self.stdout.write(f"started campaigns {started}; requeued tasks {requeued}; single emails: "
                                      f"{abandoned} unknown, {requeued_emails} requeued")
            except Exception:  # a database hiccup: the next round tries again
                logger.exception("scheduler round failed")
            if once:
                return
            time.sleep(interval)
