"""gunicorn's settings for `make serve` (bin/serve), from the environment.

GUNICORN_WORKERS (or WEB_CONCURRENCY): worker processes, default 2 × CPUs + 1.
GUNICORN_THREADS: threads per worker (default 1: the sync worker; more: gthread, keeping connections open).
BIND (or HOST and PORT): where to listen, default 127.0.0.1:8000.
GUNICORN_TIMEOUT: seconds a request may take before its worker is restarted (default 60).
Logs go to stderr through the project's formatter (LOG_FORMAT, json by default here); gunicorn's own
access log is off: the request log (api.requests) has a line per request, with the key redacted.
"""

import multiprocessing
import os

from api.logs import logging_config


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, got {value}")
    return value


bind = os.environ.get("BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
backlog = 2048
accesslog = None
errorlog = "-"
logconfig_dict = logging_config(os.environ.get("LOG_FORMAT", "json"), os.environ.get("LOG_LEVEL", "INFO"))
# gunicorn's runtime control socket is one fixed path per user: off, so several servers can share a machine.
control_socket_disable = True
# Django is imported once in the master and forked: workers answer their first request at full speed.
preload_app = True
