from django.core.management.base import BaseCommand

from accounts.services import account_by_name, api_key_issue
from api.commands import found


class Command(BaseCommand):
    help = (
        "Issue a new API key for the existing account NAME (create_account also creates the account). "
        "The key is printed alone on the last line, once: only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the account name")
        parser.add_argument("--key-name", default="", help="a label for the new key (list_keys shows it)")

    def handle(self, *args, name, key_name, **options):
        account = found(account_by_name(name), f"no account {name} (create_account {name} creates it with a key)")
        api_key, raw_key = api_key_issue(account=account, name=key_name)
        self.stdout.write(f"New API key {api_key.prefix}… for {account.name} (shown once, store it now):")
        self.stdout.write(raw_key)
