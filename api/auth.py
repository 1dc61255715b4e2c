"""API key authentication in every form the Blueprint allows.

``?access_token=KEY``; ``Authorization: Bearer|OAuth2|Token KEY`` (scheme
case-insensitive); ``Authorization: Basic base64(anything:KEY)``. A key past its ``expires_at`` is refused
like an unknown one (401), with a detail saying it expired. Which key a credential is, the accounts
app says: it registers its lookup with ``use_key_lookup`` (api/ imports no feature app).
"""

import base64
import binascii
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from api.audit import act_as, key_actor
from api.formats import iso
from api.problems import WWW_AUTHENTICATE
from api.scopes import FULL

TOKEN_SCHEMES = {"bearer", "oauth2", "token"}
_key_lookup: Callable | None = None


def use_key_lookup(lookup: Callable) -> None:
    """``lookup(raw_key)``: the active API key ``raw_key`` is (its ``account`` loaded), or None."""
    global _key_lookup
    _key_lookup = lookup


class AccountPrincipal:
    """``request.user`` for a request made with an API key: its account and its scopes (``api.scopes``)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, account, scopes=(FULL,)):
        self.account = account
        self.scopes = tuple(scopes)

    def __str__(self):
        return self.account.name


def credential_from_request(request) -> str | None:
    """The key the client sent, or None when it sent none."""
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if header:
        scheme, _, value = header.partition(" ")
        scheme, value = scheme.lower(), value.strip()
        if scheme in TOKEN_SCHEMES:
            return value
        if scheme == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise AuthenticationFailed("The Basic credentials are not valid base64.") from None
            return decoded.partition(":")[2]
        # Never echo the header: a key sent without a scheme would come back in the error.
        raise AuthenticationFailed("Unsupported Authorization scheme; use Bearer, Token, OAuth2 or Basic.")
    token = request.query_params.get("access_token") if hasattr(request, "query_params") else None
    return token.strip() if token is not None else None


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        raw = credential_from_request(request)
        if raw is None:
            return None
        if _key_lookup is None:
            raise ImproperlyConfigured("No app registered the API key lookup (api.auth.use_key_lookup).")
        api_key = _key_lookup(raw)
        if api_key is None:
            raise AuthenticationFailed("The API key is unknown or has been revoked.")
        expires_at = getattr(api_key, "expires_at", None)
        if expires_at is not None and expires_at <= timezone.now():
            # A 401 like an unknown key's (the client needs another key either way), saying why.
            raise AuthenticationFailed(f"The API key expired at {iso(expires_at)}; ask for a new one.")
        act_as(key_actor(api_key))  # the audit trail's actor for the rest of the request (api.audit)
        return AccountPrincipal(api_key.account, getattr(api_key, "scopes", None) or (FULL,)), api_key

    def authenticate_header(self, request):
        return WWW_AUTHENTICATE
