from django.db.models import Count, Q

from accounts.models import Account, ApiKey


def accounts_named(names: list[str]):
    """The accounts named exactly (every account when ``names`` is empty), by name."""
    accounts = Account.objects.all()
    return accounts.filter(name__in=names) if names else accounts


def accounts_with_key_counts():
    """Every account, by name, with ``active_keys`` (keys not revoked)."""
    return Account.objects.annotate(
        active_keys=Count("api_keys", filter=Q(api_keys__revoked_at__isnull=True))
    ).order_by("name")


def api_keys_of(*, account: Account):
    """The account's keys, newest first, revoked ones included."""
    return ApiKey.objects.filter(account=account).order_by("-created_at", "-id")


def api_keys_active_by_prefix(*, account: Account, prefix: str) -> list[ApiKey]:
    return list(ApiKey.objects.filter(account=account, prefix=prefix.lower(), revoked_at__isnull=True))


def account_send_limits(*, account_id: int) -> tuple[int | None, int | None]:
    """The account's own sending limits (per second, per hour); None where it has none (the default applies)."""
    row = Account.objects.filter(pk=account_id).values_list("send_rate_per_second", "send_rate_per_hour").first()
    return row or (None, None)
