from django.core.management.base import BaseCommand

from accounts.selectors import api_keys_of
from accounts.services import account_by_name
from api.commands import found


class Command(BaseCommand):
    help = (
        "List the API keys of the account NAME, newest first: prefix (what revoke_key takes), label, "
        "created, last used, revoked. Keys themselves are never stored, so never shown."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the account name")

    def handle(self, *args, name, **options):
        account = found(account_by_name(name), f"no account {name}")
        self.stdout.write(f"{'prefix':<8}  {'label':<20}  {'created':<25}  {'last used':<25}  state")
        for key in api_keys_of(account=account):
            state = f"revoked {_when(key.revoked_at)}" if key.revoked_at else "active"
            self.stdout.write(
                f"{key.prefix:<8}  {key.name or '-':<20}  {_when(key.created_at):<25}  {_when(key.last_used_at):<25}  "
                f"{state}"
            )


def _when(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else "-"
