"""Django's PostgreSQL backend with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django tests a connection kept from an earlier request before reusing it, with a
``SELECT 1``: one more round trip on every request. A kept connection is idle between requests, so the
server has nothing to say on it unless it ended it (a restart, a crash, ``pg_terminate_backend``): then its
socket is readable (the termination notice, or the end of the stream). So a zero-timeout poll of the
socket tells a dead connection from a live one, and a dead one is replaced before the request uses it.
A harmless message (a parameter reported after a configuration reload) costs only a reconnection.
"""

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            poller = select.poll()  # poll, not select: no limit on the descriptor's number
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False
