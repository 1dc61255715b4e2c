"""The download link's token: the export task and the link's expiry, signed under this purpose's own salt
(Django's ``Signer``: HMAC of SECRET_KEY, SECRET_KEY_FALLBACKS still read). The token is the credential, as a
pre-signed storage URL is: whoever holds the link may download until it expires, and no one can make one.

A link lives EXPORT_LINK_SECONDS at least and twice that at most: its expiry is rounded up to a whole window,
so the task's representation (and its ETag) stays the same within one."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from api.formats import base36

SALT = "exports.download"
_SEP = "."  # not in base 36 nor in the signature's URL-safe base 64: a token is one path segment


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=_SEP)


def link_expiry(now: float | None = None) -> int:
    window = settings.EXPORT_LINK_SECONDS
    now = time.time() if now is None else now
    return (int(now) // window + 2) * window


def make_token(task_id: int, expires: int) -> str:
    return _signer().sign(f"{base36(task_id)}-{base36(expires)}")


@dataclass(frozen=True)
class Read:
    task_id: int | None = None
    expires: int = 0

    @property
    def expired(self) -> bool:
        return self.expires <= time.time()


FORGED = Read()


def read_token(token: str) -> Read:
    """What a token names; ``FORGED`` when it is malformed or its signature is wrong."""
    if len(token) > 100 or not token.isascii():
        return FORGED
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return FORGED
    head, _, expires = value.partition("-")
    try:
        return Read(int(head, 36), int(expires, 36))
    except ValueError:
        return FORGED
