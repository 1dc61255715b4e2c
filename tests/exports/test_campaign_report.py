"""A campaign's report: one row per message, with what happened when it was sent and after."""

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import Event, Message
from campaigns.tokens import make_token
from tests.campaigns.builders import sent_campaign
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.exports.builders import as_dicts, exported


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_campaign_report_row_by_row(api, smtp_server, fmt):  # noqa: F811
    campaign_id, _, emails = sent_campaign(api, count=3)
    first, _, third = (Message.objects.get(campaign_id=campaign_id, to_email=email) for email in emails)
    Client().get(f"/t/o/{make_token(first.pk)}")
    Client().get(f"/t/o/{make_token(first.pk)}")
    Event.objects.create(
        account_id=first.account_id,
        message=first,
        campaign_id=campaign_id,
        type="click",
        url="https://x.example",
        at=timezone.now(),
    )
    Event.objects.create(
        account_id=third.account_id,
        message=third,
        campaign_id=campaign_id,
        type="hard-bounce",
        detail="-550 no such user",
        at=timezone.now(),
    )
    _, rows = exported(api, kind="campaign-report", campaignId=campaign_id, format=fmt)
    assert rows[0] == [
        "recipient",
        "status",
        "sentAt",
        "smtpCode",
        "smtpResponse",
        "opens",
        "clicks",
        "firstOpenAt",
        "firstClickAt",
        "bounce",
        "bounceAt",
        "bounceDetail",
        "complainedAt",
        "unsubscribedAt",
    ]
    report = {row["recipient"]: row for row in as_dicts(rows)}
    assert sorted(report) == sorted(emails)
    one, two, three = (report[email] for email in emails)
    assert one["status"] == "sent" and one["sentAt"].endswith("+00:00") and one["smtpCode"] == "250"
    assert (one["opens"], one["clicks"]) == ("2", "1")
    assert one["firstOpenAt"].endswith("+00:00") and one["firstClickAt"].endswith("+00:00")
    assert (two["opens"], two["clicks"], two["firstOpenAt"], two["bounce"]) == ("0", "0", "", "")
    assert three["bounce"] == "hard-bounce" and three["bounceDetail"] == "'-550 no such user"
    assert three["bounceAt"].endswith("+00:00")
