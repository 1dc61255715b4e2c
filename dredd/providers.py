"""What the provider webhook examples need: message 4242 named by each provider's message id, and Amazon SNS's
signature, made with a test certificate the hooks write into SNS_CERTIFICATES_DIR (bin/dredd sets it: the server
reads SNS certificates from there and fetches none)."""

import base64
import datetime
import json
import os
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

# The provider message id each provider's example names (message 4242's, for that example).
MESSAGE_IDS = {
    "amazon_ses": "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
    "brevo": "<202612011200.27287306012@smtp-relay.mailin.fr>",
    "mailgun": "<20261201120000.1.0DF563D0B3597700@mg.example.com>",
    "mailjet": "12345678901234567",
    "postmark": "2706ee8a-737c-4285-b032-ccd317af53ed",
    "sendgrid": "3c2f4df8-c6dd-4cd2-9b91-6582b81a0349",
    "sparkpost": "84345317650824116",
}
SNS_CERTIFICATE = "SimpleNotificationService-example.pem"  # the examples' SigningCertURL names it
SIGNED = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}


@cache
def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_sns_certificate() -> None:
    """A self-signed certificate of the test key, where the server looks for SNS's certificates."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(_key().public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(_key(), hashes.SHA256())
    )
    directory = Path(os.environ["SNS_CERTIFICATES_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    (directory / SNS_CERTIFICATE).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def sns_signed(body: str) -> str:
    """The example's SNS message with its Signature made as SNS makes it (SignatureVersion 1: SHA-1)."""
    message = json.loads(body)
    text = "".join(f"{name}\n{message[name]}\n" for name in SIGNED[message["Type"]] if name in message)
    signature = _key().sign(text.encode(), padding.PKCS1v15(), hashes.SHA1())
    message["Signature"] = base64.b64encode(signature).decode()
    return json.dumps(message, indent=2)
