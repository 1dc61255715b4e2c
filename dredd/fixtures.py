"""The data behind apiary.apib's examples, created for each Dredd run."""
from accounts.services import account_get_or_create, api_key_issue

ACCOUNT_NAME = "user@example.com"


def prepare() -> str:
    """Create the example account; return a fresh API key for it."""
    account, _ = account_get_or_create(name=ACCOUNT_NAME)
    _, key = api_key_issue(account=account, name="dredd")
    return key
