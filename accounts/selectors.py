from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Account, ApiKey
from api.pagination import PageParams, page_slice
from api.problems import NOT_FOUND, ApiProblem
from api.query import choice
from api.v1 import Collection, Filter, Page, Query, Sort, apply_filters, page_of

KEY_STATUSES = ("active", "expired", "revoked")


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


def api_key_get(*, account: Account, key_id: int) -> ApiKey:
    api_key = ApiKey.objects.filter(account=account, pk=key_id).first()
    if api_key is None:
        raise ApiProblem(NOT_FOUND, f"The account has no API key {key_id}.")
    return api_key


def api_key_status(api_key: ApiKey) -> str:
    if api_key.revoked_at is not None:
        return "revoked"
    if api_key.expires_at is not None and api_key.expires_at <= timezone.now():
        return "expired"
    return "active"


def _with_status(rows, status: str | None):
    now = timezone.now()
    if status == "revoked":
        return rows.filter(revoked_at__isnull=False)
    if status == "expired":
        return rows.filter(revoked_at__isnull=True, expires_at__lte=now)
    if status == "active":
        return rows.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True)
    return rows


def api_key_page(*, account: Account, status: str | None, params: PageParams) -> tuple[list[ApiKey], int]:
    """The account's keys, oldest first (revoked and expired ones too, unless ``status`` says which)."""
    rows = _with_status(ApiKey.objects.filter(account=account), status).order_by("id")
    total = rows.count()  # an account has a few keys
    return page_slice(rows, total, params), total


API_KEYS = Collection(
    "api-keys",
    sorts={
        "id": Sort("id", kind="int"),
        "name": Sort("name"),
        "createdAt": Sort("created_at", kind="datetime"),
        "lastUsedAt": Sort("last_used_at", nullable=True, kind="datetime"),
        "expiresAt": Sort("expires_at", nullable=True, kind="datetime"),
    },
    filters={"status": Filter(choice(KEY_STATUSES), _with_status, "One of " + ", ".join(KEY_STATUSES) + ".")},
)


def api_key_v1_page(*, account: Account, query: Query) -> Page:
    return page_of(apply_filters(ApiKey.objects.filter(account=account), API_KEYS, query), API_KEYS, query)
