"""Amazon SNS's message signatures (how Amazon SES's events arrive), which anymail does not check, and the
confirmation of an SNS subscription without boto3.

SNS signs each message with the key of the certificate at its ``SigningCertURL`` (``SignatureVersion`` 1: RSA
with SHA-1; 2: with SHA-256) over a canonical text of its fields. A certificate is taken only from
``https://sns.<region>.amazonaws.com`` (or ``.amazonaws.com.cn``), fetched once per process and kept; with
SNS_CERTIFICATES_DIR set, certificates are read from that directory instead (a file named as the URL's last part)
and nothing is fetched: servers that reach nothing outside, and the tests, whose test certificate signs their
posts.
"""

import base64
import binascii
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings

logger = logging.getLogger("providers")
AMAZON_HOST = re.compile(r"sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?")
SIGNED = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
FETCH_TIMEOUT_SECONDS = 10
_fetched: dict[str, x509.Certificate] = {}


class SignatureError(Exception):
    """The message is not signed by Amazon SNS (or not as it reads now)."""


class SubscriptionRefused(Exception):
    """A subscription confirmation that cannot be followed."""


def amazon_url(url: str) -> bool:
    """An https URL of Amazon SNS itself (no user, the default port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and bool(AMAZON_HOST.fullmatch(parts.hostname or ""))
        and parts.username is None
        and port in (None, 443)
    )


def signed_text(message: dict) -> bytes:
    """What SNS signs: each signed field's name and value on their own lines (a Notification's Subject only when
    it has one)."""
    names = SIGNED.get(message.get("Type"))
    if names is None:
        raise SignatureError(f"SNS signs no message of Type {str(message.get('Type'))[:50]!r}")
    lines = []
    for name in names:
        value = message.get(name)
        if value is None:
            if name == "Subject":
                continue
            raise SignatureError(f"the SNS message has no {name}")
        lines += [name, str(value)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def verify(message: dict) -> None:
    """Raises SignatureError unless Amazon SNS signed ``message`` (a parsed SNS post)."""
    version = str(message.get("SignatureVersion", ""))
    if version not in HASHES:
        raise SignatureError(f"unknown SignatureVersion {version[:10]!r}")
    url = str(message.get("SigningCertURL", ""))
    if not amazon_url(url) or not urlsplit(url).path.endswith(".pem"):
        raise SignatureError("SigningCertURL is not a certificate of Amazon SNS (https://sns.<region>.amazonaws.com)")
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
    except binascii.Error:
        raise SignatureError("the Signature is not base64") from None
    try:
        certificate(url).public_key().verify(signature, signed_text(message), padding.PKCS1v15(), HASHES[version]())
    except InvalidSignature:
        raise SignatureError("the Signature does not verify with Amazon SNS's certificate") from None


def certificate(url: str) -> x509.Certificate:
    """The certificate at ``url``: from SNS_CERTIFICATES_DIR when set, else fetched once per process. Raises
    SignatureError when the directory has none; an error fetching it propagates (a 500: SNS posts again)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    if settings.SNS_CERTIFICATES_DIR:
        path = Path(settings.SNS_CERTIFICATES_DIR) / name
        if not path.is_file():
            raise SignatureError(f"SNS_CERTIFICATES_DIR has no certificate {name[:100]}")
        return x509.load_pem_x509_certificate(path.read_bytes())
    found = _fetched.get(url)
    if found is None:
        response = requests.get(url, timeout=FETCH_TIMEOUT_SECONDS)
        response.raise_for_status()
        found = _fetched[url] = x509.load_pem_x509_certificate(response.content)
    return found


def confirm(message: dict) -> None:
    """Confirm an SNS subscription by fetching its SubscribeURL (Amazon's only)."""
    url, token = str(message.get("SubscribeURL", "")), str(message.get("Token", ""))[:400]
    if not amazon_url(url):
        raise SubscriptionRefused(f"its SubscribeURL is not Amazon SNS's; confirm it in the AWS console: token {token}")
    try:
        requests.get(url, timeout=FETCH_TIMEOUT_SECONDS).raise_for_status()
    except requests.RequestException as exc:
        raise SubscriptionRefused(
            f"fetching its SubscribeURL failed ({type(exc).__name__}); confirm it in the AWS console: token {token}"
        ) from None
    logger.info("Amazon SNS subscription to %s confirmed", str(message.get("TopicArn"))[:200])
