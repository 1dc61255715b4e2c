"""What the management commands share: a lookup that stops the command with one line when nothing is found."""

from django.core.management.base import CommandError


def found[T](value: T | None, missing: str) -> T:
    """``value``; when it is None the command stops with ``missing`` (one line, exit status 1)."""
    if value is None:
        raise CommandError(missing)
    return value
