"""What keeps a preference page's POST to the person who has the page open.

The token in the URL is the credential (no cookie, no login), so a forged cross-site request would need the
token, and whoever has it may use the page anyway: the classic CSRF, which rides on ambient cookies, has nothing
to ride on. What is left is guarded here: a POST must carry the page's hidden ``form`` value (an HMAC of the token
under a key of its own: only a server-rendered page has it, so a blind POST to a URL found in a mail, by a scanner
or a script that never read the page, changes nothing) and must not come from another site (``Origin``, and
``Sec-Fetch-Site``, which browsers send with every form). The page itself is sent ``Referrer-Policy: same-origin``
(its URL never leaves in a Referer) and ``frame-ancestors 'none'`` (no clickjacking).
"""

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from django.conf import settings

FORM = b"preferences.form"


def form_value(token: str, secret: str | None = None) -> str:
    key = hashlib.sha256(FORM + (secret or settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(hmac.digest(key, token.encode(), "sha256")[:16]).decode().rstrip("=")


def form_value_valid(token: str, value: str | None) -> bool:
    if not value or not value.isascii():
        return False
    secrets = (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    return any(hmac.compare_digest(value, form_value(token, secret)) for secret in secrets)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request) -> bool:
    """False for a browser's request from another site; a request without these headers (a script with the
    token) is let through: it could have read the page first."""
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    own = {_origin(settings.PUBLIC_BASE_URL), _origin(request.build_absolute_uri("/"))}
    return origin.lower() in own
