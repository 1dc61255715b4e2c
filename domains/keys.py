"""A domain's DKIM key pair: made here (RSA 2048), the private key sealed at rest (api/sealing.py).

Sealed with AES-256-GCM under a key derived (HKDF-SHA256) from SECRET_KEY: a copy of the database alone does not
give the keys away. Opening tries SECRET_KEY, then each of SECRET_KEY_FALLBACKS, so rotating the secret (the old
one kept as a fallback, as the README says for mail tokens) keeps the keys usable; a key sealed under a secret
that is gone cannot be opened (the domain must be added again).
"""

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api import sealing

KEY_BITS = 2048
INFO = b"emailapi dkim private key"


class KeyUnavailable(Exception):
    """The sealed key cannot be opened with SECRET_KEY or any of SECRET_KEY_FALLBACKS."""


@dataclass(frozen=True)
class KeyPair:
    sealed_private: str
    public: str  # base64 DER SubjectPublicKeyInfo (the DKIM record's p=)


def seal(pem: bytes) -> str:
    return sealing.seal(pem, label=INFO)


def unseal(sealed: str) -> bytes:
    try:
        return sealing.unseal(sealed, label=INFO)
    except sealing.SealBroken:
        raise KeyUnavailable(
            "the DKIM key was sealed under a SECRET_KEY that is neither the current one nor a fallback"
        ) from None


def key_pair() -> KeyPair:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(seal(pem), base64.b64encode(public).decode())


def private_key(sealed: str) -> rsa.RSAPrivateKey:
    # Our own key, checked when it was made: skipping OpenSSL's RSA check saves milliseconds per load.
    return serialization.load_pem_private_key(unseal(sealed), password=None, unsafe_skip_rsa_key_validation=True)
