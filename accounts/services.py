import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account, ApiKey

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
    api_key = ApiKey.objects.create(account=account, name=name, prefix=raw_key[:ApiKey.PREFIX_LENGTH],
                                    key_hash=hash_key(raw_key))
    return api_key, raw_key


def api_key_revoke(*, api_key: ApiKey) -> None:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The active key matching ``raw_key``, compared in constant time, or None."""
    if not KEY_PATTERN.match(raw_key or ""):
        return None
    digest = hash_key(raw_key)
    candidates = ApiKey.objects.select_related("account").filter(
        prefix=raw_key[:ApiKey.PREFIX_LENGTH].lower(), revoked_at__isnull=True)
    match = None
    for candidate in candidates:
        if hmac.compare_digest(candidate.key_hash, digest):
            match = candidate
    if match is not None:
        _touch(match)
    return match


def _touch(api_key: ApiKey) -> None:
    # One write a minute per key at most: authentication stays a read.
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
