from accounts.models import Account


def accounts_named(names: list[str]):
    """The accounts named exactly (every account when ``names`` is empty), by name."""
    accounts = Account.objects.all()
    return accounts.filter(name__in=names) if names else accounts
