from django.core.management.base import BaseCommand

from accounts.selectors import api_key_status, api_keys_of
from accounts.services import account_by_name
from api.commands import found


class Command(BaseCommand):
    help = (
        "List the API keys of the account NAME, newest first: prefix (what revoke_key takes), label, "
        "created, last used, state (active, expires, expired, revoked) and scopes. Keys themselves are never stored, "
        "so never shown."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the account name")

    def handle(self, *args, name, **options):
        account = found(account_by_name(name), f"no account {name}")
        self.stdout.write(f"{'prefix':<8}  {'label':<20}  {'created':<25}  {'last used':<25}  {'state':<33}  scopes")
        for key in api_keys_of(account=account):
            self.stdout.write(
                f"{key.prefix:<8}  {key.name or '-':<20}  {_when(key.created_at):<25}  {_when(key.last_used_at):<25}  "
                f"{_state(key):<33}  {','.join(key.scopes)}"
            )


def _state(key) -> str:
    status = api_key_status(key)
    if status == "active":
        return f"expires {_when(key.expires_at)}" if key.expires_at else "active"
    return f"{status} {_when(key.revoked_at if status == 'revoked' else key.expires_at)}"


def _when(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else "-"
