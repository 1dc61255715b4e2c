"""/api/v1/emails: single sends over SMTP with tracking, suppression, Idempotency-Key, the collection of
campaign messages and single emails, the detail's timeline, isolation."""

import io
import re

from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext

from campaigns.models import Message, MessageCount
from campaigns.tokens import make_token
from emails.jobs import deliver_single_email
from subscribers.models import Suppression
from tests.campaigns.builders import send, sent_campaign
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import md5
from tests.v1.builders import create_contact, walk

SEND = "/api/v1/emails/send"
EMAILS = "/api/v1/emails"
HTML = (
    '<html><body><p>Hi {{ name | friend }}</p><a href="https://shop.example.com/o/{{ order }}">Order</a></body></html>'
)


def post_send(api, body, **headers):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.post(SEND, body, **headers)


def body_of(**overrides):
    return {
        "to": "ann@example.com",
        "subject": "Order {{ order }}",
        "html": HTML,
        "text": "Hi {{ name }}",
        "fromName": "Shop",
        "fromEmail": "shop@example.com",
        "values": {"name": "Ann", "order": 42},
        **overrides,
    }


def test_send_delivers_with_tracking_and_the_detail_shows_the_timeline(api, smtp_server):  # noqa: F811
    response = post_send(api, body_of())
    body = assert_hypermedia(response, 202, "email")
    assert (body["status"], body["to"], body["campaignId"], body["events"]) == ("queued", "ann@example.com", None, [])
    assert response["Location"] == f"{EMAILS}/{body['emailId']}"
    send()
    [delivery] = smtp_server.to("ann@example.com")
    parsed = delivery.parsed()
    assert (parsed["Subject"], delivery.mail_from) == ("Order 42", "shop@example.com")
    token = make_token(body["emailId"])
    assert f"/u/{token}" in parsed["List-Unsubscribe"]
    html = parsed.get_body(("html",)).get_content()
    assert "Hi Ann" in html and f"/t/o/{token}" in html
    click = re.search(r"https?://[^/\"]+(/t/c/[^\"]+)", html).group(1)
    public = Client()
    assert public.get(f"/t/o/{token}").status_code == 200
    redirect = public.get(click)
    assert redirect.status_code in (302, 303) and redirect["Location"] == "https://shop.example.com/o/42"
    detail = assert_hypermedia(api.get(response["Location"]), 200, "email")
    assert detail["status"] == "sent" and detail["sentAt"]
    assert [event["type"] for event in detail["events"]] == ["sent", "opened", "clicked"]


def test_a_refused_recipient_ends_bounced_with_its_event(api, smtp_server):  # noqa: F811
    smtp_server.reply["bad@example.com"] = "550 5.1.1 No such user"
    body = assert_hypermedia(post_send(api, body_of(to="bad@example.com")), 202, "email")
    send()
    detail = assert_hypermedia(api.get(f"{EMAILS}/{body['emailId']}"), 200, "email")
    assert detail["status"] == "bounced"
    assert [event["type"] for event in detail["events"]] == ["bounced"]
    assert Message.objects.get(pk=body["emailId"]).status == "hard-bounce"


def test_the_message_belongs_to_the_contact_with_that_address(api, smtp_server):  # noqa: F811
    create_contact(api, "ann@example.com")
    body = assert_hypermedia(post_send(api, body_of()), 202, "email")
    assert Message.objects.get(pk=body["emailId"]).subscriber.email == "ann@example.com"


def test_a_suppressed_recipient_is_refused(api, owner, smtp_server):  # noqa: F811
    create_contact(api, "gone@example.com")
    from subscribers.models import Subscriber

    Subscriber.objects.filter(email="gone@example.com").update(status="unsubscribed-by-user")
    Suppression.objects.create(account_id=owner.account.pk, email_md5=md5("erased@example.com"))
    for address in ("gone@example.com", "erased@example.com"):
        assert_problem(post_send(api, body_of(to=address)), 422, "/errors/422.1-recipient-suppressed")
    send()
    assert Message.objects.count() == 0 and smtp_server.deliveries == []


def test_bad_bodies_are_400(api):
    assert_problem(post_send(api, body_of(html="", text="")), 400)
    assert_problem(post_send(api, body_of(subject="{{ missing }}")), 400, "/errors/400.2-validation-error")
    assert_problem(post_send(api, {"subject": "x", "text": "y"}), 400, "/errors/400.24-missing-data")
    assert Message.objects.count() == 0


def test_idempotency_key_replays_the_first_response_and_refuses_another_body(api, smtp_server):  # noqa: F811
    first = post_send(api, body_of(), HTTP_IDEMPOTENCY_KEY="k-1")
    again = post_send(api, body_of(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert (again.status_code, again.json(), again["Location"]) == (202, first.json(), first["Location"])
    assert_problem(
        post_send(api, body_of(subject="Other"), HTTP_IDEMPOTENCY_KEY="k-1"),
        422,
        "/errors/422.2-idempotency-key-reused",
    )
    send()
    assert Message.objects.count() == 1 and len(smtp_server.deliveries) == 1
    assert post_send(api, body_of(), HTTP_IDEMPOTENCY_KEY="k-2").status_code == 202
    assert Message.objects.count() == 2


def test_the_list_holds_campaign_messages_and_single_emails_with_filters(api, smtp_server):  # noqa: F811
    campaign_id, _, addresses = sent_campaign(api, 3)
    single = assert_hypermedia(post_send(api, body_of(to="solo@example.com")), 202, "email")["emailId"]
    page = assert_hypermedia(api.get(EMAILS), 200, "emails-page")
    assert page["total"] == 4 and page["items"][-1]["emailId"] == single
    by_campaign = assert_hypermedia(api.get(f"{EMAILS}?campaign={campaign_id}"), 200, "emails-page")
    assert sorted(item["to"] for item in by_campaign["items"]) == sorted(addresses)
    assert assert_hypermedia(api.get(f"{EMAILS}?status=queued"), 200, "emails-page")["total"] == 1
    to_one = assert_hypermedia(api.get(f"{EMAILS}?recipient=SOLO@example.com"), 200, "emails-page")
    assert [item["emailId"] for item in to_one["items"]] == [single]
    send()
    assert assert_hypermedia(api.get(f"{EMAILS}?status=sent"), 200, "emails-page")["total"] == 4
    assert assert_hypermedia(api.get(f"{EMAILS}?sent_before=2000-01-01"), 200, "emails-page")["total"] == 0
    assert assert_hypermedia(api.get(f"{EMAILS}?sent_after=2000-01-01"), 200, "emails-page")["total"] == 4
    ids = walk(api, f"{EMAILS}?limit=1&cursor=&sort_by=sentAt&order=desc", "emails-page", "emailId")
    assert sorted(ids) == sorted(item["emailId"] for item in page["items"]) and len(ids) == 4
    assert_problem(api.get(f"{EMAILS}?status=nope"), 400, "/errors/400.3-invalid-parameter")
    assert_problem(api.get(f"{EMAILS}?recipient=not-an-address"), 400, "/errors/400.3-invalid-parameter")


def test_the_unfiltered_total_is_an_exact_counter_not_a_count_of_the_rows(api, smtp_server):  # noqa: F811
    sent_campaign(api, 3)
    post_send(api, body_of(), HTTP_IDEMPOTENCY_KEY="once")
    post_send(api, body_of(), HTTP_IDEMPOTENCY_KEY="once")  # a replay writes no message, so counts none
    assert_problem(post_send(api, body_of(html="", text="")), 400)
    send()
    with CaptureQueriesContext(connection) as queries:
        page = assert_hypermedia(api.get(f"{EMAILS}?limit=2&offset=2"), 200, "emails-page")
    assert page["total"] == Message.objects.count() == 4 and len(page["items"]) == 2
    assert not any("COUNT(" in query["sql"].upper() for query in queries)
    with CaptureQueriesContext(connection) as queries:  # by status, the messages' tally answers exactly too
        assert assert_hypermedia(api.get(f"{EMAILS}?status=sent"), 200, "emails-page")["total"] == 4
    assert not any("COUNT(" in query["sql"].upper() for query in queries)
    with CaptureQueriesContext(connection) as queries:  # a filter the tally does not know counts its rows
        page = assert_hypermedia(api.get(f"{EMAILS}?recipient=p0@example.com"), 200, "emails-page")
        assert page["total"] == 1
    assert any("COUNT(" in query["sql"].upper() for query in queries)
    MessageCount.objects.update(count=0)  # the repair tool puts a damaged counter right
    call_command("recount_counters", stdout=io.StringIO())
    assert assert_hypermedia(api.get(EMAILS), 200, "emails-page")["total"] == 4


def test_another_accounts_email_is_404(api, other, client_for, smtp_server):  # noqa: F811
    mine = assert_hypermedia(post_send(api, body_of()), 202, "email")["emailId"]
    theirs = client_for(other)
    assert_problem(theirs.get(f"{EMAILS}/{mine}"), 404, "/errors/404.1-not-found")
    assert assert_hypermedia(theirs.get(EMAILS), 200, "emails-page")["total"] == 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = theirs.post(SEND, body_of(), HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 202  # keys are per account


def test_a_4xx_is_retried_later_then_ends_soft_bounced(api, smtp_server, settings):  # noqa: F811
    settings.SEND_MAX_ATTEMPTS = 2
    smtp_server.reply["busy@example.com"] = "451 4.3.0 Try later"
    body = assert_hypermedia(post_send(api, body_of(to="busy@example.com")), 202, "email")
    send()
    message = Message.objects.get(pk=body["emailId"])
    assert (message.status, message.attempts, message.smtp_code) == ("queued", 1, 451)
    assert message.next_attempt_at is not None  # a job waits for that time (RQ's scheduler)
    with TestCase.captureOnCommitCallbacks(execute=False):
        deliver_single_email(message.pk)  # the retry, as the scheduled job runs it
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("soft-bounce", 2)
    assert assert_hypermedia(api.get(f"{EMAILS}/{message.pk}"), 200, "email")["status"] == "bounced"


def test_unsubscribing_from_a_single_email_suppresses_the_address(api, smtp_server):  # noqa: F811
    body = assert_hypermedia(post_send(api, body_of(to="solo@example.com")), 202, "email")
    send()
    token = make_token(body["emailId"])
    response = Client().post(
        f"/u/{token}", "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 204)
    detail = assert_hypermedia(api.get(f"{EMAILS}/{body['emailId']}"), 200, "email")
    assert [event["type"] for event in detail["events"]] == ["sent", "unsubscribed"]
    assert_problem(post_send(api, body_of(to="solo@example.com")), 422, "/errors/422.1-recipient-suppressed")
