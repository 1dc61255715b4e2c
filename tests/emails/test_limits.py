"""Single emails obey their account's sending limits (campaigns/throttle.py): a send the limit holds back is
tried again when a slot frees, its message still queued, no attempt used; and a server that faults is set aside,
so the retry goes through another."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from accounts.models import Account
from api.redis_client import redis_client
from campaigns.models import Message
from emails.delivery import email_deliver
from tests.campaigns.smtp import SmtpServer, free_port, smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_hypermedia

pytestmark = pytest.mark.django_db(transaction=True)
SEND = "/api/v1/emails/send"


@pytest.fixture(autouse=True)
def no_limits_left():
    def clean():
        client = redis_client()
        keys = [*client.scan_iter("emailapi:rate:*"), *client.scan_iter("emailapi:smtp-aside:*")]
        if keys:
            client.delete(*keys)

    clean()
    yield
    clean()


def queued(api, to: str) -> int:
    body = {"to": to, "subject": "Receipt", "text": "Thanks", "fromEmail": "shop@example.com"}
    with TestCase.captureOnCommitCallbacks(execute=False):  # the job is run here, not by a worker
        return assert_hypermedia(api.post(SEND, body), 202, "email")["emailId"]


def test_a_single_email_over_the_accounts_hourly_limit_waits_for_a_slot_without_using_an_attempt(
    api,
    owner,
    smtp_server,  # noqa: F811
):
    Account.objects.filter(pk=owner.account.pk).update(send_rate_per_hour=1)
    first, second = queued(api, "ann@example.com"), queued(api, "bob@example.com")
    assert email_deliver(message_id=first) is None
    retry_at = email_deliver(message_id=second)
    assert timezone.now() + timedelta(minutes=59) < retry_at <= timezone.now() + timedelta(hours=1)
    message = Message.objects.get(pk=second)
    assert (message.status, message.attempts) == ("queued", 0)
    assert smtp_server.per_recipient() == {"ann@example.com": 1}


def test_a_single_email_whose_server_refuses_is_retried_through_the_other(api, owner, settings):
    alive = SmtpServer().start()
    try:
        settings.EMAIL_HOST = None
        settings.EMAIL_TRANSPORTS = [
            {
                "name": name,
                "host": "127.0.0.1",
                "port": port,
                "username": "",
                "password": "",
                "use_tls": False,
                "use_ssl": False,
                "weight": 1,
                "per_second": 0,
                "per_hour": 0,
            }
            for name, port in (("down", free_port()), ("up", alive.port))
        ]
        redis_client().set("emailapi:smtp-aside:up", 1, ex=60)  # the first try can only go to "down"
        email_id = queued(api, "ann@example.com")
        assert email_deliver(message_id=email_id) is not None  # refused: a retry
        assert redis_client().ttl("emailapi:smtp-aside:down") > 0
        redis_client().delete("emailapi:smtp-aside:up")
        assert email_deliver(message_id=email_id) is None
        assert Message.objects.get(pk=email_id).status == "sent"
        assert alive.recorder.per_recipient() == {"ann@example.com": 1}
    finally:
        alive.stop()
