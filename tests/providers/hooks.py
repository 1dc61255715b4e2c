"""What the providers' webhook tests share: the server's webhook credentials, a campaign sent through a provider
(anymail's test backend) whose messages the events name, posting as each provider posts, and signing as Amazon SNS
signs (a test certificate in SNS_CERTIFICATES_DIR)."""

import base64
import datetime
import json
import uuid
from collections import Counter
from functools import cache

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.core import mail
from django.db.models import Sum
from django.test import Client

from analytics.models import DailyStat
from analytics.services import daily_add, utc_day
from campaigns.counters import stats_add
from campaigns.models import Message
from tests.campaigns.builders import messages_of, sent_campaign

SECRET = "anymail:webhook-secret-for-tests"
MAILGUN_KEY = "mailgun-webhook-signing-key-for-tests"
HOOKS = "/api/v1/webhooks/providers"
SNS_CERTIFICATE = "SimpleNotificationService-0123456789abcdef.pem"
SNS_CERTIFICATE_URL = f"https://sns.us-east-1.amazonaws.com/{SNS_CERTIFICATE}"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"
HTML = '<html><body><p>Hi {{ firstName | friend }}</p><a href="https://shop.example.com/sale">Sale</a></body></html>'


@cache
def sns_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sns_certificate() -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(sns_key().public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(sns_key(), hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def webhooks(settings, tmp_path):
    """Every provider webhook on: anymail's basic auth secret, Mailgun's signing key, SNS's test certificate."""
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET], "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    (tmp_path / SNS_CERTIFICATE).write_bytes(sns_certificate())
    settings.SNS_CERTIFICATES_DIR = str(tmp_path)
    return settings.ANYMAIL


@pytest.fixture
def sent(api, settings, webhooks):
    """A campaign to p0, p1 and p2@example.com (one link) sent through a provider: (campaign id, its messages by
    address)."""
    settings.EMAIL_PROVIDER, settings.EMAIL_HOST = "test", None
    mail.outbox = []
    campaign_id, _, _ = sent_campaign(api, 3, html=HTML)
    return campaign_id, messages_of(campaign_id)


def named(message: Message, provider_id: str) -> Message:
    """The message as the provider named it when it took it."""
    Message.objects.filter(pk=message.pk).update(provider_id=provider_id)
    message.refresh_from_db()
    return message


def answer_lost(message: Message) -> Message:
    """The message as a send whose answer was lost leaves it: ``unknown``, no provider id (counters moved so)."""
    Message.objects.filter(pk=message.pk).update(status="unknown", provider_id="", sent_at=None)
    stats_add(message.campaign_id, Counter({"sent": -1, "unknown": 1}))
    daily_add(message.account_id, message.campaign_id, utc_day(message.sent_at), Counter({"sent": -1}))
    message.refresh_from_db()
    return message


def basic(secret: str = SECRET) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


def post(provider: str, body, *, auth: str | None = SECRET, content_type="application/json", **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    if auth is not None:
        headers["HTTP_AUTHORIZATION"] = basic(auth)
    return Client().post(f"{HOOKS}/{provider}", data=data, content_type=content_type, **headers)


def outcomes(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert response["Content-Type"].endswith("profile=/schemas/provider-events-result")
    assert body["received"] == len(body["results"]) and body["_links"] == []
    return [(result["event"], result["outcome"]) for result in body["results"]]


def daily(account) -> dict[str, int]:
    """The account's daily counters, summed over the days."""
    rows = DailyStat.objects.filter(account=account.account).values("metric").annotate(total=Sum("count"))
    return {row["metric"]: row["total"] for row in rows if row["total"]}


# --- Amazon SNS -----------------------------------------------------------------------------------------


def sns_signed(message: dict, *, version: str = "1", key=None) -> dict:
    """``message`` signed as SNS signs (its documented canonical text: each field's name and value on a line)."""
    names = (
        ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
        if message["Type"] == "Notification"
        else ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
    )
    text = "".join(f"{name}\n{message[name]}\n" for name in names if name in message)
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = (key or sns_key()).sign(text.encode(), padding.PKCS1v15(), digest)
    return {
        **message,
        "SignatureVersion": version,
        "Signature": base64.b64encode(signature).decode(),
        "SigningCertURL": SNS_CERTIFICATE_URL,
    }


def sns_notification(ses_event: dict, **signing) -> dict:
    return sns_signed(
        {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": TOPIC,
            "Subject": "Amazon SES Email Event Notification",
            "Message": json.dumps(ses_event) + "\n",
            "Timestamp": "2026-12-01T12:00:00.000Z",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn...",
        },
        **signing,
    )


def post_sns(message: dict, *, auth: str | None = SECRET):
    return post(
        "amazon_ses",
        message,
        auth=auth,
        content_type="text/plain; charset=UTF-8",  # SNS posts its JSON as text/plain
        HTTP_X_AMZ_SNS_MESSAGE_TYPE=message["Type"],
        HTTP_X_AMZ_SNS_MESSAGE_ID=message["MessageId"],
    )
