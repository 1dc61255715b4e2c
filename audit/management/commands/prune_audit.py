from django.conf import settings
from django.core.management.base import BaseCommand

from audit.services import audit_prune


class Command(BaseCommand):
    help = (
        "Forget the audit entries older than AUDIT_RETENTION_DAYS (the sweeper does it too; this is for cron). "
        "Prints how many."
    )

    def handle(self, *args, **options):
        pruned = audit_prune()
        self.stdout.write(f"{pruned} audit entries older than {settings.AUDIT_RETENTION_DAYS} days pruned")
