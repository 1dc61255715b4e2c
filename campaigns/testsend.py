"""Test sends: a campaign, as one subscriber would receive it, to at most 10 addresses of the user's choosing.

Sent now, in the request, over the settings' SMTP server (campaigns/transport.py), so the answer says what the
server said of each address. A person waits for it: each SMTP wait is cut to ``TIMEOUT_SECONDS`` (within
gunicorn's timeout), and a server that cannot be reached, or refuses our sender or login before anything went,
is a 503 problem. A test is no campaign message: no Message row, no stats, no analytics, no send journal
(nothing to recover: a test that broke off is sent again by hand). It is rendered by campaigns/preview.py: its
links are the preview's (they lead to the real targets and count nothing), its Message-ID is random (a bounce
of it matches no message) and its subject starts with ``[Test] ``. Any status, a draft included, as long as
it has a from address and content. Rate limited per account: ``TEST_SENDS_PER_HOUR`` test sends in a window of
an hour opened by the first (api.throttling's fixed window); a refused or unreachable send is not counted.
"""

import logging
import math
import uuid
from dataclasses import dataclass, replace

from django.conf import settings

from api.problems import ApiProblem
from api.throttling import window_hit, window_refund
from campaigns import servers
from campaigns.mime import MessageBuilder
from campaigns.models import Campaign
from campaigns.preview import Preview, campaign_preview
from campaigns.problems import CAMPAIGN_NOT_READY, SMTP_UNAVAILABLE, TEST_SEND_LIMIT
from campaigns.replies import Outcome
from campaigns.transport import transport_open
from domains.selectors import sender_check, signer_for
from subscribers.models import Subscriber

logger = logging.getLogger("campaigns")
MAX_ADDRESSES = 10
SUBJECT_PREFIX = "[Test] "
WINDOW_SECONDS = 3600
TIMEOUT_SECONDS = 15
# An outcome of the transport → what the answer says of the address.
OUTCOMES = {
    "sent": "sent",
    "hard": "refused",
    "soft": "deferred",
    "failed": "failed",
    "unknown": "unknown",
    "fault": "not-sent",
}
NOT_SENT = Outcome("fault", None, "not sent: the server stopped taking messages")


@dataclass(frozen=True)
class AddressResult:
    email: str
    outcome: str  # sent | refused | deferred | failed | unknown | not-sent
    code: int | None
    response: str


@dataclass(frozen=True)
class SendReport:
    preview: Preview  # what was sent (its subject without the prefix) and whose merge values
    subject: str
    results: list[AddressResult]

    @property
    def sent(self) -> int:
        return sum(result.outcome == "sent" for result in self.results)


def send_window(account_id: int) -> str:
    """The Redis key (or cache key) of the account's test-send window."""
    return f"throttle:test-send:{account_id}"


def _require_sendable(campaign: Campaign) -> None:
    errors = []
    if not campaign.from_email.strip():
        errors.append({"field": "fromEmail", "detail": "a test needs the campaign's from address"})
    if not campaign.html.strip() and not campaign.text.strip():
        errors.append({"field": "html", "detail": "a test needs HTML or text content"})
    if not errors:
        sender_check(account_id=campaign.account_id, email=campaign.from_email)
    if errors:
        detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)
        raise ApiProblem(CAMPAIGN_NOT_READY, f"Cannot send a test of the campaign: {detail}", errors=errors)


def _throttle(account_id: int) -> str:
    key = send_window(account_id)
    count, seconds_left = window_hit(key, WINDOW_SECONDS)
    limit = settings.TEST_SENDS_PER_HOUR
    if count > limit:
        wait = max(1, math.ceil(seconds_left))
        raise ApiProblem(
            TEST_SEND_LIMIT,
            f"The account sent its {limit} test sends of this hour; retry in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    return key


def _deliver(campaign: Campaign, builder: MessageBuilder, token: str, fields: dict, emails: list[str]) -> list:
    transport = transport_open()
    if hasattr(transport, "timeout"):
        transport.timeout = min(transport.timeout, TIMEOUT_SECONDS)
    messages = [
        (email, builder.build_tokens(token, f"test-{uuid.uuid4().hex}", email, fields, token)) for email in emails
    ]
    outcomes: list[Outcome | None] = []
    try:
        transport.send_many(campaign.from_email, messages, outcomes)
    finally:
        transport.close()
    return [outcome or NOT_SENT for outcome in outcomes] + [NOT_SENT] * (len(emails) - len(outcomes))


def campaign_test_send(
    *, campaign: Campaign, emails: list[str], subscriber: Subscriber | None = None, variant=None
) -> SendReport:
    """Send ``campaign`` to ``emails`` (validated addresses, at most 10) with ``subscriber``'s merge values (or
    the sample recipient's); 400.42 without a from address or content, 429.2 over the account's limit, 503.2
    when the SMTP server took none of it. An A/B campaign's ``variant`` (a CampaignVariant; default A)."""
    _require_sendable(campaign)
    preview = campaign_preview(campaign, subscriber, variant)
    key = _throttle(campaign.account_id)
    compiled = replace(preview.compiled, subject=[SUBJECT_PREFIX, *preview.compiled.subject])
    builder = MessageBuilder(
        compiled=compiled,
        from_name=preview.from_name,
        from_email=campaign.from_email,
        reply_to=campaign.reply_to,
        base_url=settings.PUBLIC_BASE_URL,
        preferences=True,
        signer=signer_for(account_id=campaign.account_id, from_email=campaign.from_email)
        if servers.signed_here()
        else None,
    )
    fields = preview.subscriber.fields if preview.subscriber else {}
    outcomes = _deliver(campaign, builder, preview.token, fields, emails)
    if outcomes[0].kind == "fault":  # nothing went: the server could not be reached or refused us
        window_refund(key)
        where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}" if servers.signed_here() else settings.EMAIL_PROVIDER
        raise ApiProblem(
            SMTP_UNAVAILABLE, f"The SMTP server {where} did not take the test: {outcomes[0].response}"[:1000]
        )
    results = [
        AddressResult(email, OUTCOMES[outcome.kind], outcome.code, outcome.response)
        for email, outcome in zip(emails, outcomes, strict=True)
    ]
    logger.info("test send of campaign %s: %s", campaign.pk, {r.email: r.outcome for r in results})
    return SendReport(preview=preview, subject=SUBJECT_PREFIX + preview.subject, results=results)
