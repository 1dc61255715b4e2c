from django.core.management.base import CommandError

from accounts.models import ApiKey
from accounts.selectors import api_keys_active_by_prefix
from accounts.services import account_by_name, api_key_revoke
from api.commands import AuditedCommand, found
from api.problems import ApiProblem


class Command(AuditedCommand):
    help = (
        "Revoke the API key of the account NAME whose prefix is PREFIX (its first 8 characters, as list_keys "
        "shows them; the whole key works too). Like the admin's action, it takes effect on the next request "
        "on every app server."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the account name")
        parser.add_argument("prefix", help="the key's first 8 characters, or the whole key")

    def handle(self, *args, name, prefix, **options):
        account = found(account_by_name(name), f"no account {name}")
        prefix = prefix.strip()[: ApiKey.PREFIX_LENGTH]
        keys = api_keys_active_by_prefix(account=account, prefix=prefix)
        if not keys:
            raise CommandError(f"no active key {prefix} in account {account.name} (list_keys {account.name})")
        if len(keys) > 1:
            raise CommandError(f"{len(keys)} active keys start with {prefix}; revoke them in the admin")
        try:
            api_key_revoke(api_key=keys[0])
        except ApiProblem as problem:  # Redis could not spread it to every app server: nothing was revoked
            raise CommandError(problem.problem_detail) from None
        self.stdout.write(f"Key {keys[0].prefix}… of {account.name} revoked.")
