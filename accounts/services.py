import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import redis
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account, ApiKey
from accounts.problems import INVALID_EXPIRY, KEY_REVOKED, SCOPE_ESCALATION, UNKNOWN_SCOPE
from api.audit import record
from api.epoch_cache import EpochCache
from api.formats import iso
from api.problems import ApiProblem
from api.redis_client import redis_client, run_script
from api.scopes import ALL_SCOPES, FULL, beyond, normalise, unknown
from api.throttling import api_key_window

KEY_PATTERN = re.compile(r"^[0-9a-fA-F]{32}$")
LAST_USED_RESOLUTION = timedelta(minutes=1)
USED_KEY = "emailapi:key-used"  # + ":<pk>:<prefix>": set by the process that writes a key's last_used_at this minute


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.lower().encode("ascii")).hexdigest()


def _record(api_key: ApiKey, verb: str) -> None:
    """A key is named by its id; its prefix and name in the details (the plaintext is never anywhere)."""
    record(
        account_id=api_key.account_id,
        action=f"key.{verb}",
        object_type="key",
        object_id=api_key.pk,
        details={"prefix": api_key.prefix, "name": api_key.name, "scopes": list(api_key.scopes)},
    )


def account_get_or_create(*, name: str) -> tuple[Account, bool]:
    name = name.strip()
    existing = Account.objects.filter(name__iexact=name).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            account = Account.objects.create(name=name)
            record(account_id=account.pk, action="account.create", object_type="account", object_id=account.pk)
            return account, True
    except IntegrityError:  # created concurrently
        return Account.objects.get(name__iexact=name), False


def account_by_name(name: str) -> Account | None:
    return Account.objects.filter(name__iexact=name).first()


@transaction.atomic
def api_key_issue(
    *, account: Account, name: str = "", scopes: list[str] | None = None, expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Create a key (full access unless ``scopes`` says otherwise: ``api.scopes``); the plaintext is returned once
    and never stored. The operator's way (commands, the admin): ``api_key_create`` is a key's."""
    _check_scopes(scopes := list(scopes or [FULL]))
    raw_key = secrets.token_hex(16)
    api_key = ApiKey.objects.create(
        account=account,
        name=name,
        prefix=raw_key[: ApiKey.PREFIX_LENGTH],
        key_hash=hash_key(raw_key),
        scopes=normalise(scopes),
        expires_at=expires_at,
    )
    _record(api_key, "create")
    return api_key, raw_key


def api_key_create(
    *, account: Account, by: ApiKey, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A key made by the key ``by`` (over the API): never with more rights than ``by``'s own, in scopes or in time
    (403.6); ``expires_at`` in the future (400.60)."""
    _check_scopes(scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiProblem(
            INVALID_EXPIRY,
            f"expiresAt {iso(expires_at)} is not in the future.",
            errors=[{"field": "expiresAt", "detail": "must be after now (or null: no expiry)"}],
        )
    errors = [
        {"field": f"scopes[{index}]", "detail": f"{scope}: more than this key's own scopes ({', '.join(by.scopes)})"}
        for index, scope in enumerate(scopes)
        if beyond(by.scopes, [scope])
    ]
    if by.expires_at is not None and (expires_at is None or expires_at > by.expires_at):
        errors.append(
            {"field": "expiresAt", "detail": f"must be no later than this key's own expiry, {iso(by.expires_at)}"}
        )
    if errors:
        raise ApiProblem(
            SCOPE_ESCALATION,
            "A key cannot give more rights than its own: " + "; ".join(e["detail"] for e in errors) + ".",
            errors=errors,
        )
    return api_key_issue(account=account, name=name, scopes=scopes, expires_at=expires_at)


def _check_scopes(scopes: list[str]) -> None:
    errors = [{"field": f"scopes[{i}]", "detail": f"unknown scope {s!r}"} for i, s in enumerate(scopes) if unknown([s])]
    if errors:
        raise ApiProblem(UNKNOWN_SCOPE, f"Unknown scope(s); the scopes are: {', '.join(ALL_SCOPES)}.", errors=errors)


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
def api_key_revoke(*, api_key: ApiKey, by: ApiKey | None = None) -> ApiKey:
    """Revoked on every app server at once, or not at all: the queryset's update invalidates their caches in
    this transaction and raises ``api.epoch_cache.CacheInvalidationError`` (rolling back) if Redis fails.

    ``by``: the key asking (over the API), which may not revoke a key with more rights than its own (403.6); None:
    an operator. A key already revoked answers 409.14."""
    if by is not None and (more := beyond(by.scopes, api_key.scopes)):
        raise ApiProblem(
            SCOPE_ESCALATION,
            f"This key ({', '.join(by.scopes)}) cannot revoke a key with more rights ({', '.join(more)}).",
            errors=[{"field": "scopes", "detail": f"{scope}: more than this key's own scopes"} for scope in more],
        )
    now = timezone.now()
    if not ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now):
        revoked = ApiKey.objects.filter(pk=api_key.pk).values_list("revoked_at", flat=True).first()
        raise ApiProblem(KEY_REVOKED, f"The key {api_key.prefix}… was revoked at {iso(revoked)}.")
    api_key.revoked_at = now
    _record(api_key, "revoke")
    return api_key


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
        self.touched_at = api_key.last_used_at  # when this process last decided about writing last_used_at

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
    """ "Last used", to the minute: authentication stays a read. Each process considers a write once a minute per key
    at most, and with Redis the first process to ask in a minute writes (``_USED_LUA``), so a key is written once a
    minute whatever the number of app servers; without Redis, once a minute per process."""
    now = timezone.now()
    if found.touched_at is not None and now - found.touched_at < LAST_USED_RESOLUTION:
        return
    found.touched_at = now
    if _first_in_minute(api_key, now):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = found.last_used_at = now


# KEYS[1]: when the key's last_used_at was last written (seconds); ARGV[1]: now, ARGV[2]: the resolution (seconds),
# ARGV[3]: how long Redis keeps the mark (ms). 1: this caller writes; 0: written less than a resolution ago.
_USED_LUA = (
    "local last = tonumber(redis.call('GET', KEYS[1]))\n"
    "if last and tonumber(ARGV[1]) - last < tonumber(ARGV[2]) then return 0 end\n"
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])\n"
    "return 1\n"
)


def _first_in_minute(api_key: ApiKey, now: datetime) -> bool:
    client = redis_client()
    if client is None:
        return True
    resolution = LAST_USED_RESOLUTION.total_seconds()
    # The prefix keeps a key of a recreated database (tests, a restore) from taking an old key's minute.
    mark = f"{USED_KEY}:{api_key.pk}:{api_key.prefix}"
    try:
        return bool(run_script(client, _USED_LUA, [mark], [now.timestamp(), resolution, int(resolution * 2000) + 1]))
    except redis.RedisError:
        return True  # each process's minute still bounds the writes
