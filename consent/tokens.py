"""The double opt-in link's token: the consent row and the request it records, signed with a timestamp under
this purpose's own salt (Django's ``TimestampSigner``: HMAC of SECRET_KEY, SECRET_KEY_FALLBACKS still read), so
it cannot be forged, names nothing else, and lapses after DOUBLE_OPT_IN_HOURS."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from api.formats import base36

SALT = "consent.double-opt-in"
_SEP = "."  # not in base 36 nor in the signature's URL-safe base 64: a token is one path segment


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT, sep=_SEP)


def make_token(consent_id: int, stamp: int) -> str:
    return _signer().sign(f"{base36(consent_id)}-{base36(stamp)}")


@dataclass(frozen=True)
class Read:
    consent_id: int | None = None
    stamp: int | None = None
    expired: bool = False  # signed by us, but older than the confirmation window

    @property
    def valid(self) -> bool:
        return self.consent_id is not None and not self.expired


FORGED = Read()


def read_token(token: str) -> Read:
    """What a token names; ``FORGED`` when it is malformed or its signature is wrong."""
    if len(token) > 100 or not token.isascii():
        return FORGED
    signer = _signer()
    try:
        value = signer.unsign(token, max_age=settings.DOUBLE_OPT_IN_HOURS * 3600)
        expired = False
    except signing.SignatureExpired:
        value, expired = signer.unsign(token), True
    except signing.BadSignature:
        return FORGED
    head, _, stamp = value.partition("-")
    try:
        return Read(int(head, 36), int(stamp, 36), expired)
    except ValueError:
        return FORGED
