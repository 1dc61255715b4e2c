"""The data behind apiary.apib's examples, reset before each Dredd transaction.

The examples name list 345, 346 and 247, subscriber john.smith@example.com
(1bc5edb4799fd8eec67c66122f47eb73), the custom field ``income``, task 567,
campaign 789 (in the status each example needs), the sent campaign 790 whose
message 4242 to John carries the token of the tracking, unsubscribe and bounce examples, segment 801,
signup form 901 (public key ``example-form-key``) and template 901.
"""

import time
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from accounts.services import account_get_or_create, api_key_issue
from api.redis_client import redis_client
from campaigns.counters import campaign_counts_recount, message_count_recount, stats_add
from campaigns.models import AbTest, Campaign, CampaignVariant, Event, Message
from campaigns.services import CAMPAIGN_SEND, campaign_freeze
from campaigns.testsend import send_window
from campaigns.tokens import make_preferences_token, make_token
from consent.tokens import make_token as make_confirmation_token
from domains.keys import key_pair
from domains.models import SendingDomain
from emails.models import IdempotencyKey
from exports.models import ExportPiece
from exports.tokens import link_expiry, make_token as make_export_token
from fields.models import Field
from fields.services import field_create
from imports.sources import prepare as prepare_source
from lists.models import MailingList
from lists.services import list_count_recount, list_create
from preferences.guard import form_value
from segments.models import Segment
from signup.models import SignupForm
from subscribers.consents import request_stamp
from subscribers.counters import counters_recount
from subscribers.emails import normalize_email
from subscribers.models import Consent, Subscriber, Suppression
from subscribers.services import subscriber_replace, subscriber_subscribe
from tasks.models import Task, TaskError, TaskStatus
from tasks.payload import payload_store
from tasks.services import task_counts_recount
from templates.models import Template

ACCOUNT_NAME = "user@example.com"
LISTS = {345: "North Section", 346: "South Section", 247: "West Section"}
# The lists the preference page shows (public), with what subscribers read there; 247 is not public.
PUBLIC_LISTS = {345: ("North news", "Events and offers in the north, once a week"), 346: ("", "")}
JOHN = "john.smith@example.com"
JANE = "jane.doe@example.com"
PENDING = "pending@example.com"  # a pending membership of list 346 (double opt-in examples)
CONFIRMATION_EXAMPLE_TOKEN = "1-example.confirmation-token"
ERASED = "erased.contact@example.com"
JOHN_FIELDS = {"firstName": "John", "lastName": "Smith", "income": 450000}


def account():
    return account_get_or_create(name=ACCOUNT_NAME)[0]


def prepare() -> str:
    """Create the example account; return a fresh API key for it."""
    _, key = api_key_issue(account=account(), name="dredd")
    return key


@transaction.atomic
def reset_examples(*, absent_lists=(), absent_fields=("city",)) -> None:
    """Put the examples' data back as the Blueprint shows it; remove what a create must create."""
    owner = account()
    MailingList.objects.filter(account=owner, name__in=absent_lists).delete()
    Field.objects.filter(account=owner, name__in=absent_fields).delete()
    Subscriber.objects.filter(account=owner, email=JANE).delete()
    Suppression.objects.filter(account=owner).delete()  # what "Erase a Contact" left
    Suppression.objects.create(account=owner, email_md5=normalize_email(ERASED).md5)  # "Send an Email" refuses it
    IdempotencyKey.objects.filter(account=owner).delete()
    if not Field.objects.filter(account=owner, name="income").exists():
        field_create(account=owner, name="income", type="number", label="Annual Income")
    for list_id, name in LISTS.items():
        existing = MailingList.objects.filter(pk=list_id).first()
        if existing is None:
            created = list_create(account=owner, name=f"{name} {list_id}", active=True)
            MailingList.objects.filter(pk=created.pk).update(id=list_id)
        public_name, public_description = PUBLIC_LISTS.get(list_id, ("", ""))
        MailingList.objects.filter(pk=list_id).update(
            name=name,
            active=True,
            public=list_id in PUBLIC_LISTS,
            public_name=public_name,
            public_description=public_description,
        )
    john = Subscriber.objects.filter(account=owner, email=JOHN).first()
    email = normalize_email(JOHN)
    if john is None:
        john, _ = subscriber_subscribe(
            account=owner, mailing_list=MailingList.objects.get(pk=345), email=email, to_set={}, to_unset=set()
        )
    subscriber_replace(
        subscriber=john, email=email, list_ids=[345, 346], status="active", to_set=JOHN_FIELDS, to_unset=set()
    )
    Subscriber.objects.filter(pk=john.pk).update(last_open_at=None, soft_bounces=0)  # tracking and bounces
    reset_pending(owner)
    counters_recount(owner.pk)
    list_count_recount(account=owner)


def reset_pending(owner) -> None:
    """pending@example.com asked to join list 346 (double opt-in) and has not confirmed: a fresh request, its
    resend budget unused. Written directly (the counters are recounted after)."""
    pending = normalize_email(PENDING)
    Subscriber.objects.filter(account=owner, email_md5=pending.md5).delete()
    subscriber = Subscriber.objects.create(account=owner, email=pending.address, email_md5=pending.md5)
    now = timezone.now()
    Consent.objects.create(
        list_id=346, subscriber=subscriber, source="form", created_at=now, double_opt_in=True, sends=1, sent_at=now
    )
    client = redis_client()
    if client is not None:
        client.delete(f"double-opt-in:resend:{owner.pk}:{pending.md5}")


def confirmation_token() -> str:
    """The signed link of pending@example.com's request (the examples show a placeholder)."""
    consent = Consent.objects.get(subscriber__email_md5=normalize_email(PENDING).md5, list_id=346)
    return make_confirmation_token(consent.pk, request_stamp(consent))


TASK_ID = 567
TASK_CSV = b"email,firstName\n" + b"".join(b"row%d@example.com,Name%d\n" % (i, i) for i in range(1000))


@transaction.atomic
def reset_task(status: str = TaskStatus.IN_PROGRESS) -> None:
    """Task 567 of the examples: an import into list 345, 400 of 1,000 rows done, 10 errors."""
    owner = account()
    now = timezone.now()
    fields = {
        "account": owner,
        "type": "import",
        "list_id": 345,
        "status": status,
        "total": 1000,
        "processed": 400,
        "succeeded": 390,
        "failed": 10,
        "checkpoint": 400,
        "errors_count": 10,
        "run_id": None,
        "reason": None,
        "result": {
            "new": 290,
            "updated": 80,
            "alreadyInList": 10,
            "duplicatedInFile": 5,
            "invalid": 10,
            "skippedUnsubscribed": 3,
            "skippedBounced": 2,
        },
        "started_at": now,
        "heartbeat_at": now,
        "finished_at": None,
        "source_format": "csv",
        "source_options": prepare_source("csv", TASK_CSV, {"firstName"}).options,
        "callback_url": None,
    }
    task, created = Task.objects.update_or_create(pk=TASK_ID, defaults=fields)
    if created or not task.source_chunks.exists():
        payload_store(task=task, data=TASK_CSV)
    TaskError.objects.filter(task=task).delete()
    TaskError.objects.bulk_create(
        [
            TaskError(task=task, row=12 + i, email="not-an-email", problem="emailAddress is not a valid email address")
            for i in range(10)
        ]
    )
    task_counts_recount(account=owner)


CAMPAIGN_ID = 789
SENT_CAMPAIGN_ID = 790
CAMPAIGN_TASK_ID = 568
MESSAGE_ID = 4242
# The token apiary.apib shows in /t/ and /u/ URLs and in the bounce example; the hooks put the real one there.
EXAMPLE_TOKEN = "39u.Zm9yLWV4YW1wbGUtb25s"
# The same message's preference page (/p/…), and the hidden value of that page's form.
EXAMPLE_PREFERENCES_TOKEN = "39u.cHJlZmVyZW5jZXMtZXhh"
EXAMPLE_FORM_VALUE = "Zm9ybS12YWx1ZS1leGFtcGxl"
CAMPAIGN = {
    "name": "Spring sale",
    "subject": "{{ firstName | Hello }}, the spring sale starts today",
    "from_name": "Example Shop",
    "from_email": "news@example.com",
    "reply_to": "help@example.com",
    "preheader": "Up to 40% off until Sunday",
    "html": (
        "<html><body><p>Hi {{ firstName | there }},</p>"
        '<p><a href="https://shop.example.com/spring">See the sale</a></p>'
        '<p><a href="{{ unsubscribeUrl }}">Unsubscribe</a></p></body></html>'
    ),
    "text": (
        "Hi {{ firstName | there }},\n\nSee the sale: https://shop.example.com/spring\n\n"
        "Unsubscribe: {{ unsubscribeUrl }}\n"
    ),
}
SENT_CAMPAIGN = {
    **CAMPAIGN,
    "name": "Winter newsletter",
    "subject": "Winter news",
    "html": '<html><body><p><a href="https://shop.example.com/winter">Winter</a></p></body></html>',
}
# Campaign 789 before an example: a ready draft, or one of these.
CAMPAIGN_STATES = ("draft", "not-ready", "sending", "paused", "sent", "absent", "ab-waiting")


def message_token() -> str:
    return make_token(MESSAGE_ID)


def real_tokens() -> dict[str, str]:
    """What the hooks put in place of the examples' placeholders."""
    preferences = make_preferences_token(MESSAGE_ID)
    return {
        EXAMPLE_TOKEN: message_token(),
        EXAMPLE_PREFERENCES_TOKEN: preferences,
        EXAMPLE_FORM_VALUE: form_value(preferences),
        **export_tokens(),
    }


def _frozen(campaign: Campaign, *, status: str, now, task: Task | None = None) -> None:
    """A campaign that started: content compiled, links numbered, as campaign_start leaves it."""
    compiled = campaign_freeze(campaign)
    finished = now if status in ("sent", "canceled") else None
    Campaign.objects.filter(pk=campaign.pk).update(
        status=status, task=task, compiled=compiled, started_at=now - timedelta(minutes=5), finished_at=finished
    )


def reset_campaigns(state: str = "draft", attempts: int = 3) -> None:
    """Campaign 789 in ``state``, the sent campaign 790 with message 4242 to John; nothing else.

    Campaigns the examples created, their tasks and messages are removed. A send an example started may still
    be running in the server's worker: its transaction and this one can deadlock over the task and the
    messages (PostgreSQL then aborts one of them); this one is run again."""
    for attempt in range(1, attempts + 1):
        try:
            return _reset_campaigns(state)
        except OperationalError as exc:
            if attempt == attempts or getattr(exc.__cause__, "sqlstate", None) != DEADLOCK_DETECTED:
                raise
            time.sleep(0.2 * attempt)


DEADLOCK_DETECTED = "40P01"


@transaction.atomic
def _reset_campaigns(state: str) -> None:
    assert state in CAMPAIGN_STATES, state
    owner = account()
    now = timezone.now()
    Campaign.objects.filter(account=owner).delete()
    Task.objects.filter(account=owner, type=CAMPAIGN_SEND).delete()
    Event.objects.filter(account=owner).delete()
    Message.objects.filter(account=owner).exclude(pk=MESSAGE_ID).delete()

    sent = Campaign.objects.create(pk=SENT_CAMPAIGN_ID, account=owner, recipients_at=now, **SENT_CAMPAIGN)
    sent.lists.set([345])
    _frozen(sent, status="sent", now=now)
    stats_add(sent.pk, Counter({"recipients": 1, "sent": 1}))
    john = Subscriber.objects.get(account=owner, email=JOHN)
    Message.objects.update_or_create(
        pk=MESSAGE_ID,
        defaults={
            "account": owner,
            "campaign": sent,
            "subscriber": john,
            "to_email": JOHN,
            "status": "sent",
            "attempts": 1,
            "next_attempt_at": None,
            "claimed_at": now,
            "sent_at": now,
            "smtp_code": 250,
            "smtp_response": "2.0.0 OK",
            "opened_at": None,
            "clicked_at": None,
            "provider_id": "",
        },
    )

    if state != "absent":
        fields = {**CAMPAIGN, "subject": ""} if state == "not-ready" else CAMPAIGN
        campaign = Campaign.objects.create(pk=CAMPAIGN_ID, account=owner, **fields)
        campaign.lists.set([345])
        if state == "ab-waiting":  # an A/B test whose test share went out: waiting for its winner
            AbTest.objects.create(
                campaign=campaign,
                test_share=20,
                wait_seconds=4 * 3600,
                tested=1,
                held=0,
                test_sent_at=now,
                winner_due_at=now + timedelta(hours=4),
            )
            CampaignVariant.objects.bulk_create(
                [
                    CampaignVariant(campaign=campaign, position=0),
                    CampaignVariant(campaign=campaign, position=1, subject="Up to 40% off until Sunday"),
                ]
            )
        if state in ("sending", "paused", "ab-waiting"):
            task = Task.objects.create(
                pk=CAMPAIGN_TASK_ID,
                account=owner,
                type=CAMPAIGN_SEND,
                status=TaskStatus.PAUSED if state == "paused" else TaskStatus.IN_PROGRESS,
                started_at=now,
                heartbeat_at=now,
            )
            _frozen(campaign, status="paused" if state == "paused" else "sending", task=task, now=now)
        elif state == "sent":
            _frozen(campaign, status="sent", now=now)
    campaign_counts_recount(account=owner)
    message_count_recount(account=owner)
    task_counts_recount(account=owner)


def name_example_message(provider_id: str) -> None:
    """Message 4242 as a provider took it: the provider's id of it (the provider webhook examples name it)."""
    Message.objects.filter(pk=MESSAGE_ID).update(provider_id=provider_id)


def reset_test_sends(*, full: bool = False) -> None:
    """The example account's hourly window of test sends: unused, or ``full`` (the next one answers 429)."""
    client = redis_client()
    assert client is not None, "the test-send examples need REDIS_URL (bin/with-test-env sets it)"
    key = send_window(account().pk)
    if full:
        client.set(key, settings.TEST_SENDS_PER_HOUR, ex=3540)
    else:
        client.delete(key)


SEGMENT_ID = 801
SEGMENT = {
    "name": "Big earners",
    "match": "all",
    "conditions": [
        {"kind": "field", "field": "income", "operator": "greaterThan", "value": 100000},
        {"kind": "list", "operator": "in", "listId": 345},
    ],
}


@transaction.atomic
def reset_segments() -> None:
    """Segment 801 (John matches it), and no other: what the examples created goes. Run after
    reset_campaigns, which removes the campaigns that could target them."""
    owner = account()
    Segment.objects.filter(account=owner).exclude(pk=SEGMENT_ID).delete()
    Segment.objects.update_or_create(pk=SEGMENT_ID, defaults={"account": owner, **SEGMENT})


FORM_ID = 901
FORM = {
    "key": "example-form-key",
    "name": "Footer form",
    "fields": [{"fieldName": "firstName", "required": True}],
    "double_opt_in": False,
    "thank_you_url": "https://www.example.com/thanks",
    "error_url": "https://www.example.com/oops",
    "allowed_origins": ["https://www.example.com"],
}
TEMPLATE_ID = 901
TEMPLATE = {
    "name": "Newsletter",
    "html": "<html><head><style>.content { font-family: Helvetica, Arial, sans-serif; }</style></head><body>"
    '<div class="content">{{ content }}</div><p><a href="{{ unsubscribeUrl }}">Unsubscribe</a></p></body></html>',
    "text": "{{ content }}\n\nUnsubscribe: {{ unsubscribeUrl }}\n",
}


@transaction.atomic
def reset_signup_forms() -> None:
    """Signup form 901 on lists 345 and 346, and no other; the public endpoint's rate limits start afresh."""
    owner = account()
    SignupForm.objects.filter(account=owner).exclude(pk=FORM_ID).delete()
    form, _ = SignupForm.objects.update_or_create(pk=FORM_ID, defaults={"account": owner, **FORM})
    form.lists.set([345, 346])
    client = redis_client()
    if client is not None:
        client.delete(f"signup:form:{FORM_ID}", "signup:ip:127.0.0.1")


DOMAIN_ID = 901
DOMAIN_KEYS = []  # one key pair for the run: making one takes a tenth of a second


def reset_domains() -> None:
    """Sending domain 901 (example.com, never checked), and no other: what the examples added goes."""
    owner = account()
    if not DOMAIN_KEYS:
        DOMAIN_KEYS.append(key_pair())
    keys = DOMAIN_KEYS[0]
    SendingDomain.objects.filter(account=owner).exclude(pk=DOMAIN_ID).delete()
    SendingDomain.objects.update_or_create(
        pk=DOMAIN_ID,
        defaults={
            "account": owner,
            "name": "example.com",
            "selector": "em1a2b3c4d",
            "private_key": keys.sealed_private,
            "public_key": keys.public,
            "checked_at": None,
            "verified_at": None,
            "checks": {},
        },
    )


def reset_templates(*, in_use: bool = False) -> None:
    """Template 901 and no other (what the examples created goes); ``in_use``: campaign 789 uses it. Run after
    reset_campaigns, which removes the campaigns that could use them."""
    owner = account()
    Template.objects.filter(account=owner).exclude(pk=TEMPLATE_ID).delete()
    Template.objects.update_or_create(pk=TEMPLATE_ID, defaults={"account": owner, **TEMPLATE})
    if in_use:
        Campaign.objects.filter(pk=CAMPAIGN_ID).update(template_id=TEMPLATE_ID)


def campaign_status(campaign_id: int = CAMPAIGN_ID) -> str | None:
    return Campaign.objects.filter(pk=campaign_id).values_list("status", flat=True).first()


ROWS = [("email", "firstName", "lastName"), (JOHN, "John", "Smith")]


def import_body(kind: str) -> tuple[bytes, str]:
    """The example import as an XLS or XLSX workbook, or a form carrying the CSV file."""
    import io

    if kind == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        for row in ROWS:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if kind == "xls":
        import xlwt

        workbook = xlwt.Workbook()
        sheet = workbook.add_sheet("Subscribers")
        for r, row in enumerate(ROWS):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), "application/vnd.ms-excel"
    boundary = "dredd-import-boundary"
    csv = "".join(",".join(row) + "\r\n" for row in ROWS)
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="subscribers.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    )
    return body.encode(), f"multipart/form-data; boundary={boundary}"


EXPORT_TASK_ID = 569
# The examples' placeholders for the export's download link (a valid one, and one past its expiry).
EXAMPLE_EXPORT_TOKEN = "f1.example-export-token"
EXAMPLE_EXPIRED_EXPORT_TOKEN = "f1.expired-export-token"
EXPORT_FILE = (
    b"emailAddress,emailMd5,status,firstName,lastName\n",
    b"john.smith@example.com,1bc5edb4799fd8eec67c66122f47eb73,active,John,Smith\n",
)


@transaction.atomic
def reset_exports() -> None:
    """Export task 569, done, its file the example's (two pieces: the header, John's row); the exports the
    examples created go."""
    owner = account()
    Task.objects.filter(account=owner, type="export").exclude(pk=EXPORT_TASK_ID).delete()
    now = timezone.now()
    task, _ = Task.objects.update_or_create(
        pk=EXPORT_TASK_ID,
        defaults={
            "account": owner,
            "type": "export",
            "list_id": 345,
            "status": TaskStatus.DONE,
            "total": 1,
            "processed": 1,
            "succeeded": 1,
            "checkpoint": 1,
            "result": {"rows": 1, "bytes": sum(map(len, EXPORT_FILE))},
            "source_format": "csv",
            "source_options": {"kind": "subscribers", "listId": 345},
            "started_at": now,
            "finished_at": now,
            "heartbeat_at": now,
        },
    )
    ExportPiece.objects.filter(task=task).delete()
    for seq, data in enumerate(EXPORT_FILE):
        ExportPiece.objects.create(task=task, part=ExportPiece.ROWS, seq=seq, rows=seq, data=data)
    task_counts_recount(account=owner)


def export_tokens() -> dict[str, str]:
    return {
        EXAMPLE_EXPORT_TOKEN: make_export_token(EXPORT_TASK_ID, link_expiry()),
        EXAMPLE_EXPIRED_EXPORT_TOKEN: make_export_token(EXPORT_TASK_ID, 1),
    }
