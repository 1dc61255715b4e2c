"""Start-up failures an operator can fix, as one line on stderr and a non-zero exit, not a traceback.

A malformed setting (config/env.py names the variable), a VAR_DIR that cannot be created, a database that
cannot be reached: ``manage.py`` (every command) and ``config/wsgi.py`` (gunicorn) run through ``explained``.
``python -m config.startup`` checks the settings and connects to the database (bin/run and bin/serve run it
first). ``--traceback`` on a command shows the traceback anyway.
"""

import os
import sys
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection

EXIT_STATUS = 2


def explained(func, *args, traceback: bool = False):
    """``func(*args)``, or exit with one line when the configuration or the database stops it."""
    try:
        return func(*args)
    except ImproperlyConfigured as exc:
        # The cause (Django's "Error loading psycopg" hides the libpq error in it) goes on the same line.
        cause = f" ({type(exc.__cause__).__name__}: {exc.__cause__})" if exc.__cause__ else ""
        problem = f"configuration error: {exc}{cause}"
        if traceback:
            raise
    except OperationalError as exc:
        if traceback or connection.connection is not None:  # a query failed, not the connection: not ours
            raise
        problem = database_problem(exc)
    sys.stderr.write(problem + "\n")
    sys.exit(EXIT_STATUS)


def database_problem(exc: Exception) -> str:
    reason = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
    if settings.DATABASE_URL:
        return f"cannot connect to the database of DATABASE_URL ({redacted(settings.DATABASE_URL)}): {reason}"
    name = settings.DATABASES["default"]["NAME"]
    return f"cannot open the embedded SQLite database {name} (DATABASE_URL unset; VAR_DIR): {reason}"


def redacted(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{netloc[-1]}"))


def _check() -> None:
    import django

    django.setup()
    connection.ensure_connection()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    explained(_check)


if __name__ == "__main__":
    main()
