import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account, ApiKey
from api.epoch_cache import EpochCache
from api.throttling import api_key_window

KEY_PATTERN = re.compile(r"^[0-9a-fA-F]{32}$")
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.lower().encode("ascii")).hexdigest()


def account_get_or_create(*, name: str) -> tuple[Account, bool]:
    name = name.strip()
    existing = Account.objects.filter(name__iexact=name).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return Account.objects.create(name=name), True
    except IntegrityError:  # created concurrently
        return Account.objects.get(name__iexact=name), False


def account_by_name(name: str) -> Account | None:
    return Account.objects.filter(name__iexact=name).first()


def api_key_issue(*, account: Account, name: str = "") -> tuple[ApiKey, str]:
    """Create a key; the plaintext is returned once and never stored."""
    raw_key = secrets.token_hex(16)
    api_key = ApiKey.objects.create(
        account=account, name=name, prefix=raw_key[: ApiKey.PREFIX_LENGTH], key_hash=hash_key(raw_key)
    )
    return api_key, raw_key


def api_key_kept(*, account: Account, raw_key: str | None, name: str = "") -> tuple[str, bool]:
    """``raw_key`` while it is an active key of ``account``, else a new key: (the key, whether it is new).

    ``make run`` keeps its demo key this way (``create_account --key-file``) instead of issuing one per start.
    """
    if raw_key and KEY_PATTERN.match(raw_key):
        digest = hash_key(raw_key)
        for candidate in ApiKey.objects.filter(
            account=account, prefix=raw_key[: ApiKey.PREFIX_LENGTH].lower(), revoked_at__isnull=True
        ):
            if hmac.compare_digest(candidate.key_hash, digest):
                return raw_key, False
    return api_key_issue(account=account, name=name)[1], True


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> None:
    """Revoked on every app server at once, or not at all: the queryset's update invalidates their caches in
    this transaction and raises ``api.epoch_cache.CacheInvalidationError`` (rolling back) if Redis fails."""
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The active key matching ``raw_key``, compared in constant time, or None.

    Within a request the key and its account come from this process's cache when the shared epoch has not
    moved since they were read (``api.epoch_cache``: revoking a key or changing an account moves it).
    """
    if not KEY_PATTERN.match(raw_key or ""):
        return None
    digest = hash_key(raw_key)
    # A key this process knows gets its rate-limit count in the round trip that reads the epoch.
    known = _active_keys.peek(digest)
    found = _active_keys.get(
        digest,
        lambda: _active_key_lookup(raw_key, digest),
        rate_window=None if known is None else api_key_window(known.key_pk),
    )
    if found is None:
        return None
    api_key = found.instance()
    _touch(api_key, found)
    return api_key


class _FoundKey:
    """An active key's row and its account's row, as cached: each request gets instances of its own."""

    KEY_FIELDS = [field.attname for field in ApiKey._meta.concrete_fields]
    ACCOUNT_FIELDS = [field.attname for field in Account._meta.concrete_fields]

    def __init__(self, api_key: ApiKey):
        self.key_pk = api_key.pk
        self.key_values = [getattr(api_key, name) for name in self.KEY_FIELDS]
        self.account_values = [getattr(api_key.account, name) for name in self.ACCOUNT_FIELDS]
        self.last_used_at = api_key.last_used_at

    def instance(self) -> ApiKey:
        api_key = ApiKey.from_db("default", self.KEY_FIELDS, self.key_values)
        api_key.account = Account.from_db("default", self.ACCOUNT_FIELDS, self.account_values)
        api_key.last_used_at = self.last_used_at
        return api_key


_active_keys = EpochCache()


def _active_key_lookup(raw_key: str, digest: str) -> _FoundKey | None:
    candidates = ApiKey.objects.select_related("account").filter(
        prefix=raw_key[: ApiKey.PREFIX_LENGTH].lower(), revoked_at__isnull=True
    )
    match = None
    for candidate in candidates:
        if hmac.compare_digest(candidate.key_hash, digest):
            match = candidate
    return None if match is None else _FoundKey(match)


def _touch(api_key: ApiKey, found: _FoundKey) -> None:
    # One write a minute per key (and process) at most: authentication stays a read.
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = found.last_used_at = now
