"""Secrets kept at rest sealed: AES-256-GCM under a key derived (HKDF-SHA256) from SECRET_KEY with a label of
their own, so a copy of the database alone does not give them away (a domain's DKIM private key, a webhook's
signing secret). Opening tries SECRET_KEY, then each of SECRET_KEY_FALLBACKS: rotating the secret (the old one
kept as a fallback, as the README says for mail tokens) keeps them usable."""

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "v1"  # the sealed form's prefix: "v1:" base64(nonce + ciphertext)


class SealBroken(Exception):
    """The sealed value cannot be opened with SECRET_KEY or any of SECRET_KEY_FALLBACKS."""


def _aead(secret: str, label: bytes) -> AESGCM:
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret.encode()))


def seal(data: bytes, *, label: bytes) -> str:
    nonce = os.urandom(12)
    return (
        f"{VERSION}:" + base64.b64encode(nonce + _aead(settings.SECRET_KEY, label).encrypt(nonce, data, None)).decode()
    )


def unseal(sealed: str, *, label: bytes) -> bytes:
    _, _, data = sealed.partition(":")
    raw = base64.b64decode(data)
    for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        try:
            return _aead(secret, label).decrypt(raw[:12], raw[12:], None)
        except InvalidTag:
            continue
    raise SealBroken("sealed under a SECRET_KEY that is neither the current one nor a fallback")
