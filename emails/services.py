"""Single emails' writes: send one (POST /api/v1/emails/send), answer a repeated ``Idempotency-Key``, and the
sweeper's safety net for those in flight.

A single email is a Message of no campaign, written with its counters by the messages domain
(campaigns/messages.py), plus its own content here (``SingleEmail``: compiled parts, numbered links), so its
tracking works as a campaign's (pixel, tracked links, List-Unsubscribe). A job on the "sending" queue
delivers it (emails/delivery.py); outcomes follow campaigns/outcomes.py, a server fault retried like a 4xx.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.audit import record
from api.problems import VALIDATION_ERROR, ApiProblem
from campaigns.content import SINGLE_BUILTINS, Compiled, TemplateError, compile_campaign
from campaigns.inlining import inline_css
from campaigns.messages import single_message_queued, single_messages_recover
from campaigns.models import Message
from campaigns.selectors import messages_overdue
from domains.selectors import sender_check
from emails.jobs import deliver_single_email
from emails.models import IdempotencyKey, SingleEmail
from emails.problems import IDEMPOTENCY_KEY_REUSED, RECIPIENT_SUPPRESSED
from emails.selectors import single_message_ids
from subscribers.emails import Email, InvalidEmail, normalize_email
from subscribers.selectors import recipient_of
from tasks.queue import enqueue, schedule_sweep

IDEMPOTENCY_WINDOW = timedelta(hours=24)
RECOVER_AT_MOST = 1000  # overdue emails requeued per sweep; the next sweep takes the rest


@dataclass(frozen=True)
class Answer:
    """A response as the view renders it, and as an ``Idempotency-Key`` keeps it for the same request again."""

    status: int
    body: dict
    headers: dict
    replayed: bool = False


def payload_hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def idempotent(*, account, key: str | None, payload, respond: Callable[[], Answer]) -> Answer:
    """``respond()``, once per account and ``key`` within 24 hours: the same key with the same ``payload``
    answers the first answer again (``replayed``), with another payload it is refused (422.2). When
    ``respond`` raises, nothing is kept: a request that failed is not remembered. No key: just ``respond()``.
    """
    if key is None:
        return respond()
    digest = payload_hash(payload)
    with transaction.atomic():
        IdempotencyKey.objects.filter(
            account=account, key=key, created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW
        ).delete()  # forgotten
        stored = IdempotencyKey.objects.filter(account=account, key=key).first()
        if stored is None:
            try:  # the key's row first: a concurrent request with the same key waits here, then replays
                with transaction.atomic():
                    stored = IdempotencyKey.objects.create(
                        account=account, key=key, payload_hash=digest, status_code=0, body={}
                    )
            except IntegrityError:
                stored = IdempotencyKey.objects.get(account=account, key=key)
            else:
                answer = respond()
                stored.status_code, stored.body, stored.headers = answer.status, answer.body, answer.headers
                stored.save(update_fields=["status_code", "body", "headers"])
                return answer
        if stored.payload_hash != digest:
            raise ApiProblem(
                IDEMPOTENCY_KEY_REUSED,
                "This Idempotency-Key was used with another request body in the last 24 hours; nothing was sent.",
            )
        return Answer(stored.status_code, stored.body, stored.headers, replayed=True)


def email_send(
    *,
    account,
    to: Email,
    subject: str,
    html: str,
    text: str,
    from_name: str,
    from_email: Email | None,
    reply_to: Email | None,
    values: dict,
    check_sender: bool = True,
) -> Message:
    """Queue one email to ``to`` and its delivery job. ``from_email`` defaults to the account's name. Refused:
    a from address on no verified sending domain of the account (400.50, unless ALLOW_UNVERIFIED_SENDERS; not
    checked for the server's own emails, ``check_sender=False``: double opt-in's confirmations), a suppressed
    recipient (422.1), a merge tag that is malformed or names none of ``values`` (400.2)."""
    sender = _sender(account, from_email)
    if check_sender:
        sender_check(account_id=account.pk, email=sender)
    recipient = recipient_of(account_id=account.pk, email_md5=to.md5)
    if recipient.suppressed:
        raise ApiProblem(
            RECIPIENT_SUPPRESSED,
            f"{to.address} is suppressed for this account (it hard-bounced, "
            "unsubscribed or was erased); nothing was sent.",
        )
    compiled = _compiled(subject=subject, html=html, text=text, values=values)
    with single_message_queued(
        account_id=account.pk, subscriber_id=recipient.subscriber_id, to_email=to.address
    ) as message:
        message.single = SingleEmail.objects.create(
            message=message,
            subject=subject,
            from_name=from_name,
            from_email=sender,
            reply_to=reply_to.address if reply_to else "",
            html=html,
            text=text,
            values=values,
            compiled=asdict(compiled),
            links=compiled.links,
        )
        enqueue(deliver_single_email, message.pk, queue="sending")
        schedule_sweep()  # the safety net below, should this job be lost
        if check_sender:  # the server's own emails (confirmations) are recorded as what caused them
            record(account_id=account.pk, action="email.send", object_type="email", object_id=message.pk)
    return message


def _sender(account, from_email: Email | None) -> str:
    if from_email is not None:
        return from_email.address
    try:
        return normalize_email(account.name).address
    except InvalidEmail:
        raise ApiProblem(
            VALIDATION_ERROR,
            "fromEmail is required: the account's name is not an email address.",
            errors=[{"field": "fromEmail", "detail": "This field is required."}],
        ) from None


def _compiled(*, subject: str, html: str, text: str, values: dict) -> Compiled:
    names = {name.lower(): name for name in values}  # a single email's tags may name any of its values
    try:
        # <style> rules inlined as a campaign's (once, here: the email is compiled once, when it is accepted); no
        # text part is written for it: a single email goes with the parts its sender wrote.
        return compile_campaign(
            subject=subject,
            html_part=html,
            text_part=text,
            preheader="",
            fields=names,
            builtins=SINGLE_BUILTINS,
            inline_css=inline_css,
        )
    except TemplateError as exc:
        where = str(exc).partition(":")[0]
        raise ApiProblem(VALIDATION_ERROR, str(exc), errors=[{"field": where, "detail": str(exc)}]) from None


def single_emails_recover() -> tuple[Counter, int]:
    """The safety net for single emails, run by the sweeper: (what became of those recovered, by status;
    how many were requeued).

    A message left ``sending`` longer than TASK_STALE_AFTER_SECONDS lost its worker mid-send: its send
    journal says whether the server accepted it (recorded so), whether its data may have gone out (then it is
    ``unknown``, never sent again) or whether it never started (queued again). A ``queued`` one whose job is
    overdue by as much (lost with Redis, or just recovered) is enqueued again; delivery claims the row first,
    so a duplicate job does nothing.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    singles = single_message_ids()
    recovered = single_messages_recover(among=singles, cutoff=cutoff, limit=RECOVER_AT_MOST)
    overdue = messages_overdue(among=singles, cutoff=cutoff, limit=RECOVER_AT_MOST)
    with transaction.atomic():  # enqueued together, when this commits
        for message_id in overdue:
            enqueue(deliver_single_email, message_id, queue="sending")
    return recovered, len(overdue)
