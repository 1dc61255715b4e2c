from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.services import account_by_name, api_key_issue
from api.commands import AuditedCommand, found
from api.formats import iso
from api.problems import ApiProblem
from api.scopes import ALL_SCOPES, FULL


class Command(AuditedCommand):
    help = (
        "Issue a new API key for the existing account NAME (create_account also creates the account). "
        "The key is printed alone on the last line, once: only its hash is stored. Without --scopes it has full "
        "access."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the account name")
        parser.add_argument("--key-name", default="", help="a label for the new key (list_keys shows it)")
        parser.add_argument(
            "--scopes",
            default=FULL,
            help="what the key may do, comma-separated (default full): " + ", ".join(ALL_SCOPES),
        )
        parser.add_argument(
            "--expires-at", help="when the key stops working, ISO 8601 with an offset (2026-01-31T00:00:00+00:00)"
        )

    def handle(self, *args, name, key_name, scopes, expires_at, **options):
        account = found(account_by_name(name), f"no account {name} (create_account {name} creates it with a key)")
        chosen = [scope.strip() for scope in scopes.split(",") if scope.strip()]
        expiry = _instant(expires_at) if expires_at else None
        try:
            api_key, raw_key = api_key_issue(account=account, name=key_name, scopes=chosen, expires_at=expiry)
        except ApiProblem as problem:
            raise CommandError(problem.problem_detail) from None
        until = f", until {iso(api_key.expires_at)}" if api_key.expires_at else ""
        self.stdout.write(
            f"New API key {api_key.prefix}… for {account.name} ({', '.join(api_key.scopes)}{until}; shown once, "
            "store it now):"
        )
        self.stdout.write(raw_key)


def _instant(raw: str):
    moment = parse_datetime(raw.strip())
    if moment is None or timezone.is_naive(moment):
        raise CommandError(f"--expires-at {raw!r}: write an ISO 8601 instant with its offset")
    if moment <= timezone.now():
        raise CommandError(f"--expires-at {raw!r} is not in the future")
    return moment
