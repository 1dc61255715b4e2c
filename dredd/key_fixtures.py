"""The API keys behind apiary.apib's examples: keys 61 to 64 of the example account beside the hooks' own ("dredd"),
each with a fixed plaintext that the hooks send where an example needs another key than theirs (a key without a
scope, one that may not give more than it has, an expired one)."""

import hashlib
from datetime import UTC, datetime

from django.db import transaction

from accounts.models import ApiKey
from accounts.services import hash_key

USED = datetime(2015, 3, 4, 10, tzinfo=UTC)
KEYS = {
    61: {"name": "Reporting", "scopes": ["campaigns:read", "analytics:read"], "expires_at": None, "revoked_at": None},
    62: {
        "name": "Old integration",
        "scopes": ["full"],
        "expires_at": None,
        "revoked_at": datetime(2015, 3, 3, 11, tzinfo=UTC),
    },
    63: {
        "name": "Intern",
        "scopes": ["lists:read", "keys:write"],
        "expires_at": datetime(2099, 12, 31, tzinfo=UTC),
        "revoked_at": None,
    },
    64: {"name": "Trial", "scopes": ["read"], "expires_at": datetime(2015, 3, 3, 12, tzinfo=UTC), "revoked_at": None},
}
HOOKS_KEY_NAME = "dredd"


def raw_key(key_id: int) -> str:
    """The plaintext of example key ``key_id``: fixed, so the hooks can send it."""
    return hashlib.md5(f"dredd-example-key-{key_id}".encode()).hexdigest()


@transaction.atomic
def reset_keys(account) -> None:
    """Keys 61 to 64 as the examples show them, the hooks' own key, and no other (what the examples created goes).
    Rows are written only when they differ: each write moves every app server's cache epoch."""
    ApiKey.objects.filter(account=account).exclude(name=HOOKS_KEY_NAME).exclude(pk__in=KEYS).delete()
    for key_id, spec in KEYS.items():
        raw = raw_key(key_id)
        wanted = {"account_id": account.pk, "prefix": raw[: ApiKey.PREFIX_LENGTH], "key_hash": hash_key(raw), **spec}
        row = ApiKey.objects.filter(pk=key_id).first()
        if row is None or any(getattr(row, name) != value for name, value in wanted.items()):
            ApiKey.objects.update_or_create(pk=key_id, defaults=wanted)
        if row is None or row.last_used_at is None:
            ApiKey.objects.filter(pk=key_id).update(last_used_at=USED)
