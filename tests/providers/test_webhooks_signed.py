"""The providers that sign their events: Mailgun (its webhook signing key), SendGrid (its verification key, or
basic auth) and Amazon SES through Amazon SNS (SNS's certificate signature, and basic auth), with the payloads of
their documentation (their shapes as in anymail's own tests); each event applied as the SMTP path's reports are."""

import base64
import hashlib
import hmac
import json

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from analytics.recount import recount, stored
from campaigns.models import Message
from campaigns.provider import METADATA_KEY
from campaigns.tokens import make_token, make_tokens
from subscribers.models import Subscriber
from tests.campaigns.builders import nonzero, stats_of
from tests.helpers import assert_problem
from tests.providers.hooks import (  # noqa: F401 (fixtures)
    MAILGUN_KEY,
    SECRET,
    TOPIC,
    answer_lost,
    daily,
    named,
    outcomes,
    post,
    post_sns,
    sent,
    sns_notification,
    sns_signed,
    webhooks,
)

# --- Mailgun -----------------------------------------------------------------------------------------------


def mailgun(
    event_data: dict, *, key: str = MAILGUN_KEY, token: str = "651869375b9df3c98fc15c4889b102119add1235c3"
) -> dict:
    timestamp = str(int(event_data.get("timestamp", 1534108637)))
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"signature": {"timestamp": timestamp, "token": token, "signature": signature}, "event-data": event_data}


def mailgun_event(event: str, to: str, message_id: str, **more) -> dict:
    return {
        "event": event,
        "timestamp": 1534110422.389832,
        "recipient": to,
        "message": {"headers": {"to": to, "message-id": message_id, "from": "news@shop.example.com"}},
        **more,
    }


def test_mailgun_events_bounce_complain_and_unsubscribe_by_the_stored_message_id(api, owner, sent):  # noqa: F811
    campaign_id, rows = sent
    p0 = named(rows["p0@example.com"], "<20180812214658.1.0DF563D0B3597700@mg.shop.example.com>")
    p1 = named(rows["p1@example.com"], "<20130718032413.263EE2E0926@mg.shop.example.com>")
    p2 = named(rows["p2@example.com"], "<20130822232216.13966.79700@mg.shop.example.com>")
    failed = mailgun_event(
        "failed",
        "p0@example.com",
        "20180812214658.1.0DF563D0B3597700@mg.shop.example.com",  # Mailgun's headers name it without <>
        severity="permanent",
        reason="bounce",
        **{
            "delivery-status": {
                "code": 550,
                "message": "5.1.1 The email account that you tried to reach does not exist",
            }
        },
    )
    assert outcomes(post("mailgun", mailgun(failed))) == [("bounced", "recorded")]
    assert outcomes(post("mailgun", mailgun(failed))) == [("bounced", "already-recorded")]  # a provider's retry
    complained = mailgun_event("complained", "p1@example.com", "20130718032413.263EE2E0926@mg.shop.example.com")
    assert outcomes(post("mailgun", mailgun(complained))) == [("complained", "recorded")]
    unsubscribed = mailgun_event("unsubscribed", "p2@example.com", "20130822232216.13966.79700@mg.shop.example.com")
    assert outcomes(post("mailgun", mailgun(unsubscribed))) == [("unsubscribed", "recorded")]
    temporary = {**failed, "severity": "temporary", "reason": "generic"}
    assert outcomes(post("mailgun", mailgun(temporary))) == [("deferred", "ignored")]  # Mailgun tries again itself

    p0.refresh_from_db()
    assert p0.status == "hard-bounce" and "5.1.1" in p0.smtp_response
    statuses = dict(Subscriber.objects.filter(account=owner.account).values_list("email", "status"))
    assert statuses == {
        "p0@example.com": "hard-bounce",
        "p1@example.com": "unsubscribed-by-user",
        "p2@example.com": "unsubscribed-by-user",
    }
    assert nonzero(stats_of(api, campaign_id)) == {
        "recipients": 3,
        "sent": 2,
        "hardBounces": 1,
        "complaints": 1,
        "unsubscribes": 1,
    }
    assert daily(owner) == {"sent": 2, "hardBounces": 1, "complaints": 1, "unsubscribes": 1}
    assert [event.type for event in p1.events.all()] + [event.type for event in p2.events.all()] == [
        "complaint",
        "unsubscribe",
    ]


def test_mailgun_opens_and_clicks_count_once_with_ours(api, owner, sent, client):  # noqa: F811
    campaign_id, rows = sent
    p0 = named(rows["p0@example.com"], "<20180812213139.1.BC6694A917BB7E6A@mg.shop.example.com>")
    p1 = named(rows["p1@example.com"], "<20180812213139.2.BC6694A917BB7E6A@mg.shop.example.com>")
    opened = mailgun_event("opened", "p0@example.com", "20180812213139.1.BC6694A917BB7E6A@mg.shop.example.com")
    assert outcomes(post("mailgun", mailgun(opened))) == [("opened", "recorded")]
    assert client.get(f"/t/o/{make_token(p0.pk)}").status_code == 200  # our pixel, the same reader
    assert outcomes(post("mailgun", mailgun(opened))) == [("opened", "already-recorded")]
    client.get(f"/t/o/{make_token(p1.pk)}")  # our pixel first: the provider's open is the same one
    opened_p1 = mailgun_event("opened", "p1@example.com", "20180812213139.2.BC6694A917BB7E6A@mg.shop.example.com")
    assert outcomes(post("mailgun", mailgun(opened_p1))) == [("opened", "already-recorded")]
    clicked = mailgun_event(
        "clicked",
        "p1@example.com",
        "20180812213139.2.BC6694A917BB7E6A@mg.shop.example.com",
        url="https://example.com/x",
    )
    assert outcomes(post("mailgun", mailgun(clicked))) == [("clicked", "recorded")]
    assert outcomes(post("mailgun", mailgun(clicked))) == [("clicked", "already-recorded")]
    stats = stats_of(api, campaign_id)
    assert (stats["uniqueOpens"], stats["uniqueClicks"], stats["clicks"]) == (2, 1, 1)
    assert (
        stats["opens"] == 3
    )  # the provider's first, then our pixel's two (a provider's open before ours is seen twice)
    assert [(event.type, event.url) for event in p1.events.order_by("id")] == [
        ("open", None),
        ("click", "https://example.com/x"),
    ]


def test_mailgun_refuses_a_wrong_signature_and_a_missing_secret(sent):  # noqa: F811
    _, rows = sent
    failed = mailgun_event("failed", "p0@example.com", "x@mg.shop.example.com", severity="permanent")
    forged = mailgun(failed, key="not-the-signing-key")
    assert_problem(post("mailgun", forged), 403, "/errors/403.4-provider-signature-invalid")
    unsigned = {"event-data": failed}
    assert_problem(post("mailgun", unsigned), 403, "/errors/403.4-provider-signature-invalid")
    response = post("mailgun", mailgun(failed), auth="anymail:wrong")
    assert_problem(response, 401, "/errors/401.4-provider-webhook-unauthenticated")
    assert response["WWW-Authenticate"] == 'Basic realm="provider-webhooks"'
    assert_problem(post("mailgun", "not json"), 403, "/errors/403.4-provider-signature-invalid")
    assert Message.objects.get(pk=rows["p0@example.com"].pk).status == "sent"


def test_a_webhook_is_off_until_something_authenticates_it(settings, db):
    settings.ANYMAIL = {}
    response = post("postmark", {"RecordType": "Open"})
    problem = assert_problem(response, 404, "/errors/404.1-not-found")
    assert "ANYMAIL_WEBHOOK_SECRET" in problem["detail"]
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET]}
    assert "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY" in assert_problem(post("mailgun", {}), 404)["detail"]
    assert_problem(post("mandrill", {}), 404, "/errors/404.1-not-found")


# --- SendGrid ----------------------------------------------------------------------------------------------


def sendgrid_events(rows) -> list[dict]:
    base = {"timestamp": 1461095250, "smtp-id": "<wrfRRvF7Q0GgwUo2CvDmEA@ismtpd0006p1sjc2.sendgrid.net>"}
    return [
        {
            **base,
            "event": "delivered",
            "email": "p0@example.com",
            "anymail_id": "4ab185c2-0171-492f-9ce0-27de258efc99",
            "response": "250 2.0.0 OK 1461095248 m143si2210036ioe.159 - gsmtp ",
        },
        {
            **base,
            "event": "bounce",
            "type": "blocked",
            "email": "p0@example.com",
            "status": "4.7.1",
            "anymail_id": "4ab185c2-0171-492f-9ce0-27de258efc99",
            "reason": "451 4.7.1 Try again later",
        },
        {
            **base,
            "event": "open",
            "email": "p1@example.com",
            "anymail_id": "44920b35-3e31-478b-bb67-b4f5e0c85ebc",
            "useragent": "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0",
        },
        {
            **base,
            "event": "spamreport",
            "email": "p1@example.com",
            "anymail_id": "44920b35-3e31-478b-bb67-b4f5e0c85ebc",
        },
        # By our token in its metadata (SendGrid's custom args), as for a message whose send answer was lost.
        {
            **base,
            "event": "dropped",
            "email": "p2@example.com",
            "reason": "Bounced Address",
            "status": "5.0.0",
            "anymail_id": "de212213-bb66-4302-8f3f-20acdb7a104e",
            METADATA_KEY: make_tokens(rows["p2@example.com"].pk)[1],
        },
        {**base, "event": "processed", "email": "nobody@example.com", "anymail_id": "00000000-0000-0000-0000-0000000"},
    ]


def test_sendgrid_events_by_basic_auth(api, owner, sent):  # noqa: F811
    campaign_id, rows = sent
    named(rows["p0@example.com"], "4ab185c2-0171-492f-9ce0-27de258efc99")
    named(rows["p1@example.com"], "44920b35-3e31-478b-bb67-b4f5e0c85ebc")
    answer_lost(rows["p2@example.com"])
    assert outcomes(post("sendgrid", sendgrid_events(rows))) == [
        ("delivered", "already-recorded"),
        ("bounced", "recorded"),  # "blocked": a soft bounce
        ("opened", "recorded"),
        ("complained", "recorded"),
        ("rejected", "recorded"),  # dropped for an address that bounced before: a hard bounce
        ("queued", "unknown-message"),
    ]
    found = {row.to_email: row for row in Message.objects.filter(campaign_id=campaign_id)}
    assert (found["p0@example.com"].status, found["p2@example.com"].status) == ("soft-bounce", "hard-bounce")
    assert found["p2@example.com"].provider_id == "de212213-bb66-4302-8f3f-20acdb7a104e"  # kept once found
    assert nonzero(stats_of(api, campaign_id)) == {
        "recipients": 3,
        "sent": 1,
        "softBounces": 1,
        "hardBounces": 1,
        "opens": 1,
        "uniqueOpens": 1,
        "complaints": 1,
    }
    statuses = dict(Subscriber.objects.filter(account=owner.account).values_list("email", "status"))
    assert statuses == {
        "p0@example.com": "active",  # one soft bounce is below SOFT_BOUNCE_THRESHOLD
        "p1@example.com": "unsubscribed-by-user",
        "p2@example.com": "hard-bounce",
    }


def test_sendgrid_signed_events_are_verified_with_its_public_key(sent, settings):  # noqa: F811
    _, rows = sent
    named(rows["p0@example.com"], "4ab185c2-0171-492f-9ce0-27de258efc99")
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    settings.ANYMAIL = {"SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY": base64.b64encode(public).decode()}
    body = json.dumps(sendgrid_events(rows)[1:2])
    timestamp = "1461095250"
    signature = base64.b64encode(key.sign((timestamp + body).encode(), ec.ECDSA(hashes.SHA256()))).decode()
    signed = {"HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": timestamp}
    forged = post(
        "sendgrid",
        body.replace("451", "452"),
        auth=None,
        **signed,
        HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE=signature,
    )
    assert_problem(forged, 403, "/errors/403.4-provider-signature-invalid")
    response = post("sendgrid", body, auth=None, **signed, HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE=signature)
    assert outcomes(response) == [("bounced", "recorded")]


# --- Amazon SES (through Amazon SNS) ---------------------------------------------------------------------


def ses_event(kind: str, message_id: str, to: str, **detail) -> dict:
    return {
        "notificationType": kind,
        "mail": {
            "timestamp": "2026-12-01T11:59:58.237Z",
            "source": "news@shop.example.com",
            "messageId": message_id,
            "destination": [to],
            "headers": detail.pop("headers", []),
        },
        **detail,
    }


def test_amazon_ses_events_arrive_signed_by_sns(api, owner, sent, settings):  # noqa: F811
    campaign_id, rows = sent
    named(rows["p0@example.com"], "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000")
    named(rows["p1@example.com"], "00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000")
    answer_lost(rows["p2@example.com"])
    bounce = ses_event(
        "Bounce",
        "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
        "p0@example.com",
        bounce={
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": "p0@example.com",
                    "status": "5.1.1",
                    "action": "failed",
                    "diagnosticCode": "smtp; 550 5.1.1 <p0@example.com>... User unknown",
                }
            ],
            "timestamp": "2026-12-01T12:00:01.101Z",
            "feedbackId": "00000138111222aa-44455566-cccc-cccc-cccc-ddddaaaa068a-000000",
        },
    )
    complaint = ses_event(
        "Complaint",
        "00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000",
        "p1@example.com",
        complaint={
            "complainedRecipients": [{"emailAddress": "p1@example.com"}],
            "complaintFeedbackType": "abuse",
            "timestamp": "2026-12-01T12:01:00.000Z",
            "feedbackId": "0000013786031775-163e3910-53eb",
        },
    )
    token = make_tokens(rows["p2@example.com"].pk)[1]
    delivery = ses_event(
        "Delivery",
        "0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000",
        "p2@example.com",
        headers=[{"name": "X-Metadata", "value": json.dumps({METADATA_KEY: token})}],
        delivery={"recipients": ["p2@example.com"], "smtpResponse": "250 ok", "timestamp": "2026-12-01T12:00:00Z"},
    )
    assert outcomes(post_sns(sns_notification(bounce))) == [("bounced", "recorded")]
    assert outcomes(post_sns(sns_notification(complaint, version="2"))) == [("complained", "recorded")]
    assert outcomes(post_sns(sns_notification(delivery))) == [("delivered", "recorded")]  # unknown: sent after all

    found = {row.to_email: row for row in Message.objects.filter(campaign_id=campaign_id)}
    assert found["p0@example.com"].status == "hard-bounce"
    assert found["p2@example.com"].status == "sent" and found["p2@example.com"].provider_id.startswith("0000014644")
    assert nonzero(stats_of(api, campaign_id)) == {"recipients": 3, "sent": 2, "hardBounces": 1, "complaints": 1}
    assert daily(owner) == {"sent": 2, "hardBounces": 1, "complaints": 1}
    assert recount(account_id=owner.account.pk) == stored(account_id=owner.account.pk)


def test_amazon_ses_refuses_what_sns_did_not_sign_and_needs_the_secret(sent):  # noqa: F811
    _, rows = sent
    named(rows["p0@example.com"], "0000-bounced")
    bounce = ses_event(
        "Bounce",
        "0000-bounced",
        "p0@example.com",
        bounce={
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": "p0@example.com"}],
        },
    )
    signed = sns_notification(bounce)
    tampered = {**signed, "Message": signed["Message"].replace("Permanent", "Transient")}
    problem = assert_problem(post_sns(tampered), 403, "/errors/403.4-provider-signature-invalid")
    assert "does not verify" in problem["detail"]
    other_key = sns_notification(bounce, key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert_problem(post_sns(other_key), 403, "/errors/403.4-provider-signature-invalid")
    elsewhere = {**signed, "SigningCertURL": "https://sns.us-east-1.attacker.example/cert.pem"}
    assert "not a certificate of Amazon SNS" in assert_problem(post_sns(elsewhere), 403)["detail"]
    response = post_sns(signed, auth=None)  # SNS sends its credentials only once asked for them
    assert_problem(response, 401, "/errors/401.4-provider-webhook-unauthenticated")
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert_problem(post_sns({**signed, "MessageId": "other"} | {"Type": "Notification"}), 403)
    assert Message.objects.get(pk=rows["p0@example.com"].pk).status == "sent"


def test_an_sns_subscription_is_confirmed_only_at_amazon(sent, settings, caplog):  # noqa: F811
    confirmation = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02"
        "428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b08795",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe to the topic arn:aws:sns:us-east-1:123456789012:ses-events.",
        "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-events&Token=2336412f37",
        "Timestamp": "2026-12-01T12:00:00.000Z",
    }
    settings.ANYMAIL = {**settings.ANYMAIL, "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": False}
    assert outcomes(post_sns(sns_signed(confirmation))) == []
    assert "waits for its confirmation in the AWS console" in caplog.text
    settings.ANYMAIL = {**settings.ANYMAIL, "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": True}
    elsewhere = sns_signed({**confirmation, "SubscribeURL": "https://attacker.example/?Action=ConfirmSubscription"})
    problem = assert_problem(post_sns(elsewhere), 400, "/errors/400.58-sns-subscription-refused")
    assert confirmation["Token"][:40] in problem["detail"]
