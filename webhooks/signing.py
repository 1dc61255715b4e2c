"""Standard Webhooks (https://www.standardwebhooks.com): an endpoint's secret and each delivery's signature.

A secret is ``whsec_`` and the base64 of 32 random bytes; it is stored sealed (api/sealing.py) and shown once,
when it is made. Each attempt is signed with the attempt's own time: ``webhook-signature`` is ``v1,`` and the
base64 of HMAC-SHA256(secret bytes, ``{webhook-id}.{webhook-timestamp}.{body}``); while a rotated-out secret
still signs (``previous_until``), it carries both signatures, space-separated, so a receiver verifies with
either.
"""

import base64
import hashlib
import hmac
import secrets

from api import sealing

PREFIX = "whsec_"
SECRET_BYTES = 32
LABEL = b"emailapi webhook secret"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def seal(secret: str) -> str:
    return sealing.seal(secret.encode(), label=LABEL)


def unseal(sealed: str) -> str:
    return sealing.unseal(sealed, label=LABEL).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = hmac.new(_key(secret), f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(signed).decode()


def headers(secrets_: list[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of one attempt, signed with each of ``secrets_`` (the current one first)."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(secret, message_id, timestamp, body) for secret in secrets_),
    }
