from django.core.management.base import BaseCommand

from accounts.models import Account
from analytics.recount import campaign_drift, campaign_rebuild, rebuild, recount, stored
from campaigns.models import Campaign


class Command(BaseCommand):
    help = (
        "Recount the analytics counters (daily; each campaign's per hour and per link) from the Message and "
        "Event rows and report differences; "
        "--fix replaces the stored counters by the recount (run it while nothing sends to the account)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--account", help="one account's name (default: every account)")
        parser.add_argument("--fix", action="store_true", help="write the recount over the stored counters")

    def handle(self, *args, account=None, fix=False, **options):
        accounts = Account.objects.all() if account is None else Account.objects.filter(name__iexact=account)
        mismatched = 0
        for row in accounts.order_by("pk"):
            if fix:
                diff = rebuild(account_id=row.pk)
            else:
                diff = stored(account_id=row.pk)
                diff.subtract(recount(account_id=row.pk))
                diff = {key: n for key, n in diff.items() if n}
            for (day, campaign_id, metric), n in sorted(diff.items()):
                self.stdout.write(f"{row.name} {day} campaign {campaign_id} {metric}: stored {n:+d} vs recount")
            drifted = False
            for campaign_id in Campaign.objects.filter(account=row).order_by("pk").values_list("pk", flat=True):
                drift = (campaign_rebuild if fix else campaign_drift)(campaign_id=campaign_id)
                for kind, counts in drift.items():
                    for (key, metric), n in sorted(counts.items(), key=str):
                        self.stdout.write(
                            f"{row.name} campaign {campaign_id} {kind} {key} {metric}: stored {n:+d} vs recount"
                        )
                        drifted = True
            mismatched += bool(diff) or drifted
        self.stdout.write(f"{mismatched} account(s) with differences" + (" (fixed)" if fix and mismatched else ""))
