"""Double opt-in's actions: queuing an import's confirmations (a job, consent/bulk.py), the resend action with
its limit, the link's confirmation, and the sweeper's round. The email itself is consent/sending.py.

The consent rows are the subscribers app's (subscribers/consents.py): this app reads them and calls its
services; it never writes them itself.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.audit import record
from api.problems import ApiProblem
from api.throttling import window_hit
from consent.jobs import send_due_confirmations
from consent.problems import CONFIRMATION_LIMIT, NOT_PENDING
from consent.sending import confirmation_send
from consent.tokens import read_token
from lists.models import MailingList
from subscribers.consents import (
    ALREADY,
    GONE,
    consent_confirm,
    consent_find,
    consents_due_exist,
    consents_expire,
    membership_pending,
    request_stamp,
)
from subscribers.models import Consent, Subscriber
from tasks.queue import enqueue, schedule_sweep

RESEND_WINDOW = 24 * 3600
EXPIRED, FORGED = "expired", "forged"


def confirmations_due(list_id: int) -> None:
    """An import left pending consents of the list without their email: a job queues them, after the commit."""
    enqueue(send_due_confirmations, list_id)
    schedule_sweep()


@transaction.atomic
def confirmation_resend(*, account, mailing_list: MailingList, subscriber: Subscriber) -> Consent:
    """Another confirmation email for the subscriber's pending membership of the list (409 when there is none),
    at most DOUBLE_OPT_IN_RESENDS_PER_DAY per address in 24 hours (429 with ``Retry-After`` past it)."""
    consent = membership_pending(subscriber=subscriber, list_id=mailing_list.pk)
    if consent is None:
        raise ApiProblem(
            NOT_PENDING, f"{subscriber.email_md5} has no pending membership of list {mailing_list.pk} to confirm."
        )
    count, left = window_hit(f"double-opt-in:resend:{account.pk}:{subscriber.email_md5}", RESEND_WINDOW)
    if count > settings.DOUBLE_OPT_IN_RESENDS_PER_DAY:
        wait = max(1, math.ceil(left))
        raise ApiProblem(
            CONFIRMATION_LIMIT,
            f"At most {settings.DOUBLE_OPT_IN_RESENDS_PER_DAY} confirmation emails a day are resent to an address; "
            f"retry in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    confirmation_send(consent)
    record(
        account_id=account.pk,
        action="subscriber.resend-confirmation",
        object_type="subscriber",
        object_id=subscriber.email_md5,
        details={"listId": mailing_list.pk},
    )
    return consent


def confirmation_by_token(
    *, token: str, ip: str | None, user_agent: str | None, confirm: bool
) -> tuple[str, Consent | None]:
    """What the link's page shows: (outcome, the consent). ``confirm`` False (a GET) only reads: pending (the
    button), or why it cannot confirm; True (the button's POST) confirms. Outcomes: "pending", CONFIRMED,
    ALREADY, GONE (lapsed or withdrawn), EXPIRED (the link is older than the window), FORGED."""
    read = read_token(token)
    if read.consent_id is None:
        return FORGED, None
    consent = consent_find(consent_id=read.consent_id)
    if consent is None or request_stamp(consent) != read.stamp:
        return (EXPIRED if read.expired else GONE), None
    if not consent.pending:
        return ALREADY, consent
    if read.expired:
        return EXPIRED, consent
    if not confirm:
        return "pending", consent
    return consent_confirm(consent_id=consent.pk, stamp=read.stamp, ip=ip, user_agent=user_agent), consent


def double_opt_in_round() -> tuple[int, int]:
    """The sweeper's round: (pending consents expired, due confirmations requeued). A pending consent lapses
    DOUBLE_OPT_IN_HOURS after its last email; one whose email never went (its job was lost) gets its job again."""
    now = timezone.now()
    expired = consents_expire(before=now - timedelta(hours=settings.DOUBLE_OPT_IN_HOURS))
    due = consents_due_exist(asked_before=now - timedelta(minutes=1))
    if due:
        with transaction.atomic():
            enqueue(send_due_confirmations, None)
    return expired, int(due)
