"""The RQ worker classes `manage.py rqworker` uses (settings.RQ["WORKER_CLASS"]): RQ's, with what a
Redis restart needs.

- An RQ worker that is busy (or between two dequeue rounds) when Redis goes away quits: run workers
  under a supervisor that starts them again (README, "Failure and recovery").
- RQ's scheduler process exits when Redis cannot be reached, and RQ starts it again only at its
  ten-minute maintenance; and Redis keeps the stale-task sweeper's schedule with the jobs, so after a
  restart that lost them nothing would run the sweeper. So each heartbeat of the worker process (each
  job, each dequeue round of at most IDLE_ROUND_SECONDS, each reconnection) starts its scheduler
  again if it died and arms the sweeper if it is not armed. Both only touch Redis: the worker's
  parent process must not open a database connection its job processes would inherit.
"""
import logging
import os

import redis
import rq

logger = logging.getLogger("tasks")
IDLE_ROUND_SECONDS = 10  # RQ waits up to 405 s for a job between two heartbeats


class SweeperArming:
    @property
    def dequeue_timeout(self) -> int:
        return min(super().dequeue_timeout, IDLE_ROUND_SECONDS)

    def heartbeat(self, *args, **kwargs):
        super().heartbeat(*args, **kwargs)
        try:
            if os.getpid() != self.pid:  # a job process: its parent keeps watch
                return
            from tasks.jobs import schedule_sweep
            self._restart_dead_scheduler()
            schedule_sweep()
        except redis.exceptions.RedisError:  # Redis is away: the next heartbeat tries again
            logger.warning("could not arm the stale-task sweeper: Redis is unreachable")

    def _restart_dead_scheduler(self) -> None:
        scheduler = self.scheduler
        if scheduler is not None and (scheduler._process is None or not scheduler._process.is_alive()):
            scheduler.acquire_locks(auto_start=True)  # another worker's scheduler may hold them: then not


class Worker(SweeperArming, rq.Worker):
    """The default: each job in a forked process."""


class SimpleWorker(SweeperArming, rq.SimpleWorker):
    """Jobs in the worker's own process."""
