"""The confirmation email of a pending consent: the list's template (or the defaults), its link, sent through
the single-email path of emails/, so it is tracked (a Message), retried and idempotent."""

from django.conf import settings
from django.urls import reverse

from consent.tokens import make_token
from emails.services import Answer, email_send, idempotent
from fields.selectors import field_types
from lists.confirmation import CONFIRM_URL, LIST_NAME, confirmation_parts
from lists.models import MailingList
from subscribers.consents import consent_sent, request_stamp
from subscribers.emails import Email, InvalidEmail, normalize_email
from subscribers.models import Consent, Subscriber
from tasks.queue import schedule_sweep


def confirm_url(consent: Consent) -> str:
    token = make_token(consent.pk, request_stamp(consent))
    return settings.PUBLIC_BASE_URL + reverse("consent-confirm", kwargs={"token": token})


def _sender(account) -> Email:
    """The account's address when its name is one, else no-reply at the server's own host."""
    try:
        return normalize_email(account.name)
    except InvalidEmail:
        host = settings.PUBLIC_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return normalize_email(f"no-reply@{host}" if "." in host else "no-reply@localhost.localdomain")


def confirmation_send(consent: Consent) -> None:
    """Queue ``consent``'s confirmation email, in the caller's transaction. Its idempotency key names the consent
    and the round (``consent.sends``): the same round never makes a second email, whoever asks twice."""
    mailing_list = MailingList.objects.select_related("account").get(pk=consent.list_id)
    account = mailing_list.account
    subscriber = Subscriber.objects.get(pk=consent.subscriber_id)
    round_ = consent_sent(consent=consent)
    subject, html, text = confirmation_parts(mailing_list)
    values = {name: None for name, _ in field_types(account=account)}
    values.update(subscriber.fields)
    values.update({CONFIRM_URL: confirm_url(consent), LIST_NAME: mailing_list.name})
    to = normalize_email(subscriber.email)

    def send() -> Answer:
        message = email_send(
            account=account,
            to=to,
            subject=subject,
            html=html,
            text=text,
            from_name=mailing_list.name,
            from_email=_sender(account),
            reply_to=None,
            values=values,
            check_sender=False,  # the account's own address, or the server's: not a sender the tenant chose
        )
        return Answer(202, {"emailId": message.pk}, {})

    key = f"double-opt-in:{consent.pk}:{round_}"
    idempotent(account=account, key=key, payload={"consent": consent.pk, "round": round_}, respond=send)
    schedule_sweep()  # the sweeper expires the request if nobody confirms it
