from django.test import TestCase

from campaigns.models import Message
from tests.campaigns.smtp import smtp_server  # noqa: F401
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import create_list, subscribed
from tests.tasks.builders import queues, run_jobs  # noqa: F401


def test_campaign_is_sent_once_to_each_active_subscriber(api, owner, smtp_server, queues):  # noqa: F811
    list_id = create_list(api, "News")
    for i in range(5):
        subscribed(api, list_id, f"p{i}@example.com", fields={"firstName": f"N{i}"})
    home = f"/accounts/{owner.account.name}"
    body = {
        "name": "First",
        "subject": "Hello {{FIRSTNAME|friend}}",
        "fromName": "Shop",
        "fromEmail": "news@shop.example.com",
        "html": '<html><body><p>Hi {{firstname}}</p><a href="https://shop.example.com/a?x=1&amp;y=2">A</a></body></html>',
        "text": "Hi {{ FIRSTNAME }}",
        "lists": [list_id],
    }
    response = api.post(f"{home}/campaigns", body)
    assert_hypermedia(response, 201, "message")
    location = response["Location"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert_hypermedia(api.post(f"{location}/start"), 200, "message")
    run_jobs("sending", "default")
    detail = assert_hypermedia(api.get(location), 200, "campaign")
    assert detail["status"] == "sent", detail
    assert detail["stats"]["sent"] == 5
    assert sorted(smtp_server.per_recipient().values()) == [1] * 5
    msg = smtp_server.to("p1@example.com")[0].parsed()
    assert msg["Subject"] == "Hello N1"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = msg.get_body(("html",)).get_content()
    assert "/t/c/" in html and "/t/o/" in html and "Hi N1" in html
    assert Message.objects.filter(status="sent").count() == 5
