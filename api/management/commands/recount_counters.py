from django.core.management.base import BaseCommand

from api.counters import repair_counters


class Command(BaseCommand):
    help = (
        "Recompute the exact counters (subscribers per status, active members per list, lists, tasks, "
        "campaigns and messages per account) from the rows. The API keeps them exact; this is a repair tool."
    )

    def add_arguments(self, parser):
        parser.add_argument("accounts", nargs="*", help="account names (default: every account)")

    def handle(self, *args, accounts, **options):
        for account in repair_counters(accounts):
            self.stdout.write(f"recounted {account.name}")
