"""Per-message tokens: the message id and an HMAC of it, one key per purpose.

Without the server's key a token cannot be forged, and ids cannot be enumerated into valid tokens. A message
carries two: its links' token (open pixel, tracked links, unsubscribe: whoever can read one link can read the
others in the same body) and its Message-ID's, which travels further (the In-Reply-To and References of every
reply, forwarded headers, bounce reports, archives) and so opens nothing: it only lets a bounce report that
quotes it be traced back to its message. The links' key is the one every token had before the split, so links
in mail already sent keep working; a Message-ID is also read under it (mail sent before the split; the bounce
webhook has its own secret, so this grants nothing).

A campaign message carries a third, its preference page's (/p/…), under a key of its own: that page can add
subscriptions, which the links' token must not be turned into (nor the other way round: the preference token
opens no tracked link and records no open or click), and neither can be computed from the other without the
server's key.
"""

import base64
import hashlib
import hmac

from django.conf import settings

from api.formats import base36

LINKS = b"campaigns.message-token"
MESSAGE_ID = b"campaigns.message-id"
PREVIEW = b"campaigns.preview"
PREFERENCES = b"campaigns.preferences"
PREVIEW_HEAD = "pv-"  # "-" is no base-36 digit: a preview token is never read as a message's
_keys: dict[tuple[bytes, str], bytes] = {}


def _key(purpose: bytes, secret: str) -> bytes:
    key = _keys.get((purpose, secret))
    if key is None:
        key = _keys.setdefault((purpose, secret), hashlib.sha256(purpose + secret.encode()).digest())
    return key


def _signature(message_id: int | str, purpose: bytes, secret: str | None = None) -> str:
    digest = hmac.digest(_key(purpose, secret or settings.SECRET_KEY), str(message_id).encode(), "sha256")[:15]
    return base64.urlsafe_b64encode(digest).decode()


def make_token(message_id: int) -> str:
    """The token of a message's links (/t/o, /t/c, /u)."""
    return f"{base36(message_id)}.{_signature(message_id, LINKS)}"


def make_tokens(message_id: int) -> tuple[str, str]:
    """(links' token, Message-ID's token): what the sender needs per message, the id encoded once."""
    head = base36(message_id)
    return f"{head}.{_signature(message_id, LINKS)}", f"{head}.{_signature(message_id, MESSAGE_ID)}"


def make_preferences_token(message_id: int) -> str:
    """The token of a campaign message's preference page (/p)."""
    return f"{base36(message_id)}.{_signature(message_id, PREFERENCES)}"


def read_preferences_token(token: str) -> int | None:
    """The message id of a valid preference token, else None (a links' or Message-ID's token is not one)."""
    return _read(token, (PREFERENCES,))


def _read(token: str, purposes: tuple[bytes, ...]) -> int | None:
    head, _, signature = token.partition(".")
    if not head or len(head) > 13 or len(signature) != 20 or not head.isascii() or not signature.isascii():
        return None
    try:
        message_id = int(head, 36)
    except ValueError:
        return None
    # Mail already sent keeps working across a change of SECRET_KEY while the old one is in SECRET_KEY_FALLBACKS.
    secrets = (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    valid = [
        hmac.compare_digest(signature, _signature(message_id, purpose, secret))
        for purpose in purposes
        for secret in secrets
    ]
    return message_id if any(valid) else None


def read_token(token: str) -> int | None:
    """The message id of a valid links' token, else None (a Message-ID's token is not one)."""
    return _read(token, (LINKS,))


def read_message_id_header(value: str) -> int | None:
    value = value.strip().strip("<>")
    token, _, _ = value.partition("@")
    return _read(token, (MESSAGE_ID, LINKS))


# Previews and test sends carry links of their own: the token names the campaign and the subscriber whose merge
# values were used (0: none), under its own key, so the tracking views can redirect (and fill a link's merge
# tags) while recording nothing: there is no message to count against.
def make_preview_token(campaign_id: int, subscriber_id: int | None) -> str:
    head = f"{PREVIEW_HEAD}{base36(campaign_id)}-{base36(subscriber_id or 0)}"
    return f"{head}.{_signature(head, PREVIEW)}"


def read_preview_token(token: str) -> tuple[int, int | None] | None:
    """(campaign id, subscriber id or None) of a valid preview token, else None."""
    head, _, signature = token.partition(".")
    if not head.startswith(PREVIEW_HEAD) or len(head) > 40 or len(signature) != 20 or not token.isascii():
        return None
    campaign, _, subscriber = head[len(PREVIEW_HEAD) :].partition("-")
    try:
        campaign_id, subscriber_id = int(campaign, 36), int(subscriber, 36)
    except ValueError:
        return None
    secrets = (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    if not any(hmac.compare_digest(signature, _signature(head, PREVIEW, secret)) for secret in secrets):
        return None
    return campaign_id, subscriber_id or None
