from django.core.management.base import BaseCommand

from accounts.services import account_by_name
from api.commands import found
from lists.selectors import lists_of


class Command(BaseCommand):
    help = "List the lists of the account NAME: id (what import_subscribers --list takes), active subscribers, name."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the account name")

    def handle(self, *args, name, **options):
        account = found(account_by_name(name), f"no account {name}")
        self.stdout.write(f"{'id':>8}  {'members':>9}  name")
        for mailing_list in lists_of(account=account):
            self.stdout.write(f"{mailing_list.pk:>8}  {mailing_list.subscribers_count:>9}  {mailing_list.name}")
