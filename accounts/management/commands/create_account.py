from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.services import account_get_or_create, api_key_issue


class Command(BaseCommand):
    help = (
        "Create the account NAME (an email address) if it does not exist and issue a new API key. "
        "The key is printed alone on the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the account name, an email address such as user@example.com")
        parser.add_argument("--key-name", default="", help="a label for the new key")

    def handle(self, *args, name, key_name, **options):
        try:
            validate_email(name.strip())
        except ValidationError:
            raise CommandError(f"account name must be an email address, got {name!r}") from None
        account, created = account_get_or_create(name=name)
        _, raw_key = api_key_issue(account=account, name=key_name)
        self.stdout.write(f"{'Created' if created else 'Found'} account {account.name}.")
        self.stdout.write(f"Callback signing secret (X-Signature HMAC-SHA256 key): {account.signing_secret}")
        self.stdout.write("New API key (shown once, store it now):")
        self.stdout.write(raw_key)
