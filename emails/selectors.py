"""Single emails' reads, and the /api/v1/emails collection: the account's messages, campaigns' and single
emails, through the messages domain's selectors (campaigns/selectors.py)."""

from functools import partial

from api.problems import NOT_FOUND, ApiProblem
from api.query import choice, date_time
from api.v1 import Collection, Filter, Page, Query, Sort, apply_filters, page_of
from campaigns.models import Event, Message, MessageStatus
from campaigns.selectors import (
    account_messages,
    message_count,
    message_events,
    message_sent_count,
    message_tally,
    messages_in_flight,
)
from emails.models import SingleEmail
from subscribers.emails import InvalidEmail, normalize_email

STATUSES = ["queued", "held", "sending", "sent", "bounced", "skipped", "failed", "unknown", "canceled"]
# What the API calls bounced is either bounce.
STORED = {"bounced": [MessageStatus.HARD_BOUNCE, MessageStatus.SOFT_BOUNCE]}
# The filters the messages' tally counts (any combination of them), and those its sent days count (either or
# both): their pages need no COUNT(*) of the account's messages.
TALLIED = frozenset({"status", "campaign"})
SENT_DAYS = frozenset({"sent_after", "sent_before"})


def _status_rows(rows, status: str):
    return rows.filter(status__in=STORED.get(status, [status]))


def _campaign(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 2**62:
        raise ValueError("must be a campaign id")
    return int(raw)


def _recipient(raw: str) -> str:
    try:
        return normalize_email(raw).address
    except InvalidEmail as exc:
        raise ValueError(f"must be an email address ({exc})") from None


EMAILS = Collection(
    "emails",
    sorts={"id": Sort("id", kind="int"), "sentAt": Sort("sent_at", nullable=True, kind="datetime")},
    filters={
        "status": Filter(choice(STATUSES), _status_rows, "One of " + ", ".join(STATUSES) + "."),
        "campaign": Filter(
            _campaign, lambda rows, pk: rows.filter(campaign_id=pk), "A campaign id: that campaign's messages."
        ),
        "recipient": Filter(
            _recipient, lambda rows, address: rows.filter(to_email=address), "An email address: the messages to it."
        ),
        "sent_before": Filter(
            date_time, lambda rows, at: rows.filter(sent_at__lt=at), "ISO 8601 date or date-time: sent before it."
        ),
        "sent_after": Filter(
            date_time, lambda rows, at: rows.filter(sent_at__gte=at), "ISO 8601 date or date-time: sent at or after it."
        ),
    },
)


def _emails(account):
    return account_messages(account.pk).select_related("single")


def email_page(*, account, query: Query) -> Page:
    rows = apply_filters(_emails(account), EMAILS, query)
    # Unfiltered, the exact counter answers; by status and campaign, the exact tally; by sent time, the sent days.
    filters = query.filters
    if not filters:
        count = partial(message_count, account.pk)
    elif filters.keys() <= TALLIED:
        status = filters.get("status")
        statuses = None if status is None else STORED.get(status, [status])
        count = partial(message_tally, account.pk, statuses=statuses, campaign_id=filters.get("campaign"))
    elif filters.keys() <= SENT_DAYS:
        count = partial(
            message_sent_count, account.pk, after=filters.get("sent_after"), before=filters.get("sent_before")
        )
    else:  # recipient (its index), or a combination: the rows are counted
        count = None
    return page_of(rows, EMAILS, query, count=count)


def email_get(*, account, email_id: int) -> Message:
    message = _emails(account).filter(pk=email_id).first()
    if message is None:
        raise ApiProblem(NOT_FOUND, f"No email {email_id} in this account.")
    return message


def email_events(message: Message) -> list[Event]:
    return message_events(message.pk)


def single_message_ids():
    """The messages that are single emails, as a query of their ids (``among`` for the messages domain)."""
    return SingleEmail.objects.values("message_id")


def single_emails_pending() -> bool:
    """A single email still queued or in flight: the sweeper keeps running for it."""
    return messages_in_flight(among=single_message_ids())


def single_email_links(message_id: int) -> tuple[list[str], dict] | None:
    """A single email's numbered links and its merge values: its tracked clicks redirect only to these."""
    return SingleEmail.objects.filter(message_id=message_id).values_list("links", "values").first()
