from django.core.management.base import BaseCommand

from accounts.selectors import accounts_with_key_counts


class Command(BaseCommand):
    help = "List the accounts: name, active API keys, creation time. list_keys NAME shows an account's keys."

    def handle(self, *args, **options):
        rows = [
            (a.name, str(a.active_keys), a.created_at.isoformat(timespec="seconds")) for a in accounts_with_key_counts()
        ]
        width = max([len("account"), *(len(name) for name, _, _ in rows)])
        self.stdout.write(f"{'account':<{width}}  keys  created")
        for name, keys, created in rows:
            self.stdout.write(f"{name:<{width}}  {keys:>4}  {created}")
        if not rows:
            self.stdout.write("(no account: create_account NAME creates one)")
