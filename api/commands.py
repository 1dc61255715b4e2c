"""What the management commands share: a lookup that stops the command with one line when nothing is found, and
the base of the commands that write (their writes are recorded in the audit trail as the command's)."""

from django.core.management.base import BaseCommand, CommandError

from api.audit import acting, command_actor, counting


class AuditedCommand(BaseCommand):
    """A command whose writes the audit trail records, with the command's name as the actor."""

    def execute(self, *args, **options):
        with acting(command_actor(type(self).__module__.rpartition(".")[2])), counting():
            return super().execute(*args, **options)


def found[T](value: T | None, missing: str) -> T:
    """``value``; when it is None the command stops with ``missing`` (one line, exit status 1)."""
    if value is None:
        raise CommandError(missing)
    return value
