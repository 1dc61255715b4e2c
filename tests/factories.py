from dataclasses import dataclass

from accounts.models import Account
from accounts.services import account_get_or_create, api_key_issue


@dataclass
class AccountWithKey:
    account: Account
    key: str

    @property
    def name(self) -> str:
        return self.account.name


def make_account(name: str) -> AccountWithKey:
    account, _ = account_get_or_create(name=name)
    _, key = api_key_issue(account=account, name="test")
    return AccountWithKey(account, key)
