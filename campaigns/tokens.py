"""Per-message tokens for tracking and unsubscribe links: the message id and an HMAC of it.

Without the server's key a token cannot be forged, and ids cannot be enumerated into
valid tokens. Message-ID headers carry the same signature, so a bounce report that
quotes one is traced back to its message.
"""

import base64
import hashlib
import hmac

from django.conf import settings

_SALT = b"campaigns.message-token"


def _key() -> bytes:
    return hashlib.sha256(_SALT + settings.SECRET_KEY.encode()).digest()


def _signature(message_id: int) -> str:
    digest = hmac.new(_key(), str(message_id).encode(), hashlib.sha256).digest()[:15]
    return base64.urlsafe_b64encode(digest).decode()


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def make_token(message_id: int) -> str:
    return f"{_base36(message_id)}.{_signature(message_id)}"


def read_token(token: str) -> int | None:
    """The message id of a valid token, else None."""
    head, _, signature = token.partition(".")
    if not head or len(head) > 13 or len(signature) != 20 or not head.isascii():
        return None
    try:
        message_id = int(head, 36)
    except ValueError:
        return None
    if not signature.isascii() or not hmac.compare_digest(signature, _signature(message_id)):
        return None
    return message_id


def read_message_id_header(value: str) -> int | None:
    value = value.strip().strip("<>")
    token, _, _ = value.partition("@")
    return read_token(token)
