from django.core.management.base import BaseCommand

from accounts.models import Account
from campaigns.services import campaign_counts_recount, message_count_recount
from lists.services import list_count_recount
from subscribers.counters import counters_recount
from tasks.services import task_counts_recount


class Command(BaseCommand):
    help = "Recompute the exact counters (subscribers per status, active members per list, lists, tasks, " \
           "campaigns and messages per account) from the rows. The API keeps them exact; this is a repair tool."

    def add_arguments(self, parser):
        parser.add_argument("accounts", nargs="*", help="account names (default: every account)")

    def handle(self, *args, accounts, **options):
        queryset = Account.objects.all()
        if accounts:
            queryset = queryset.filter(name__in=accounts)
        for account in queryset:
            counters_recount(account.pk)
            list_count_recount(account=account)
            task_counts_recount(account=account)
            campaign_counts_recount(account=account)
            message_count_recount(account=account)
            self.stdout.write(f"recounted {account.name}")
