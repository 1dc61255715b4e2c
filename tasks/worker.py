"""The RQ worker classes `manage.py rqworker` uses (settings.RQ["WORKER_CLASS"], chosen by RQ_WORKER_MODE):
RQ's, with what a Redis restart needs.

- `SimpleWorker` (the default, RQ_WORKER_MODE=inline) runs each job in the worker's own process and keeps
  its database connection between jobs, checked before each one (as a request is: CONN_HEALTH_CHECKS and
  CONN_MAX_AGE). RQ's forking worker (`Worker`, RQ_WORKER_MODE=fork) forks a work horse per job, which then
  opens a new database connection: a single email's job then costs the machine about 70 ms of CPU instead
  of 25 (`bench/job_overhead.py`, docs/benchmarks.md).
  A crash of either kills the job in flight; recovery does not depend on the mode (README, "Failure and
  recovery").

- An RQ worker that is busy (or between two dequeue rounds) when Redis goes away quits: run workers
  under a supervisor that starts them again (README, "Failure and recovery").
- RQ's scheduler process exits when Redis cannot be reached, and RQ starts it again only at its
  ten-minute maintenance; and Redis keeps the stale-task sweeper's schedule with the jobs, so after a
  restart that lost them nothing would run the sweeper. So each heartbeat of the worker process (each
  job, each dequeue round of at most IDLE_ROUND_SECONDS, each reconnection) starts its scheduler
  again if it died and arms the sweeper if it is not armed. Both only touch Redis: the worker's
  parent process must not open a database connection its job processes would inherit (fork mode; the
  inline worker closes its connections before RQ forks the scheduler).
"""

import logging
import os

import redis
import rq
from django.db import close_old_connections, connections

from tasks.queue import schedule_sweep

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
            self._restart_dead_scheduler()
            schedule_sweep()
        except redis.exceptions.RedisError:  # Redis is away: the next heartbeat tries again
            logger.warning("could not arm the stale-task sweeper: Redis is unreachable")

    def _scheduler_dead(self) -> bool:
        scheduler = self.scheduler
        return scheduler is not None and (scheduler._process is None or not scheduler._process.is_alive())

    def _restart_dead_scheduler(self) -> None:
        if self._scheduler_dead():
            connections.close_all()  # the scheduler is a forked process: it must not share a connection
            self.scheduler.acquire_locks(auto_start=True)  # another worker's scheduler may hold them: then not


class Worker(SweeperArming, rq.Worker):
    """Each job in a forked process (RQ_WORKER_MODE=fork)."""


class SimpleWorker(SweeperArming, rq.SimpleWorker):
    """Jobs in the worker's own process (the default), on a database connection kept between jobs."""

    def perform_job(self, job, queue, execution) -> bool:
        # Like a request: drop a connection that failed, is past CONN_MAX_AGE, or (checked on first use)
        # was ended by the server, so a PostgreSQL restart costs at most the job that was running.
        close_old_connections()
        try:
            return super().perform_job(job, queue, execution)
        finally:
            close_old_connections()

    def run_maintenance_tasks(self):
        if self._scheduler_dead():
            connections.close_all()  # RQ may start the scheduler here (a fork): no shared connection
        super().run_maintenance_tasks()
