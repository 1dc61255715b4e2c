"""The back office: campaigns with their stats and actions, messages with their events."""

from django.test import TestCase

from campaigns.models import Campaign, Event, Message
from tests.campaigns.smtp import smtp_server  # noqa: F401
from tests.subscribers.builders import create_list, subscribed
from tests.tasks.builders import queues, run_jobs  # noqa: F401


def make_campaign(api, owner, list_id) -> int:
    response = api.post(
        f"/accounts/{owner.account.name}/campaigns",
        {"name": "Admin", "subject": "Hi", "fromEmail": "news@example.com", "text": "Hello", "lists": [list_id]},
    )
    assert response.status_code == 201, response.content
    return int(response["Location"].rsplit("/", 1)[1])


def test_campaign_admin_shows_stats_and_starts_and_pauses(api, owner, admin_client, smtp_server, queues):  # noqa: F811
    list_id = create_list(api, "Admin list")
    subscribed(api, list_id, "a@example.com")
    campaign_id = make_campaign(api, owner, list_id)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client.post(
            "/admin/campaigns/campaign/", {"action": "start", "_selected_action": [campaign_id]}, follow=True
        )
    assert b"Started 1 campaign(s)." in response.content
    assert Campaign.objects.get(pk=campaign_id).status == "sending"
    sending_page = admin_client.get(f"/admin/campaigns/campaign/{campaign_id}/change/").content.decode()
    assert '<meta http-equiv="refresh" content="5">' in sending_page  # the progress refreshes by itself
    response = admin_client.post(
        "/admin/campaigns/campaign/", {"action": "pause", "_selected_action": [campaign_id]}, follow=True
    )
    assert b"Paused 1 campaign(s)." in response.content
    assert Campaign.objects.get(pk=campaign_id).status == "paused"
    response = admin_client.post(
        "/admin/campaigns/campaign/", {"action": "pause", "_selected_action": [campaign_id]}, follow=True
    )
    assert b"Cannot pause a campaign that is paused." in response.content
    with TestCase.captureOnCommitCallbacks(execute=True):
        admin_client.post("/admin/campaigns/campaign/", {"action": "start", "_selected_action": [campaign_id]})
    run_jobs("sending", "default")
    page = admin_client.get("/admin/campaigns/campaign/").content.decode()
    assert "Admin" in page and "sent: 1" in page
    change = admin_client.get(f"/admin/campaigns/campaign/{campaign_id}/change/").content.decode()
    assert "<th scope='row'>delivered</th><td>1</td><td>100.0 %</td>" in change
    task_id = Campaign.objects.get(pk=campaign_id).task_id
    assert f'href="/admin/tasks/task/{task_id}/change/"' in change  # the campaign links to its task…
    task_page = admin_client.get(f"/admin/tasks/task/{task_id}/change/").content.decode()
    assert f'<a href="/admin/campaigns/campaign/{campaign_id}/change/">campaign Admin</a>' in task_page  # …and back


def test_message_admin_lists_messages_with_their_events(api, owner, admin_client, smtp_server, queues):  # noqa: F811
    list_id = create_list(api, "Admin list")
    subscribed(api, list_id, "b@example.com")
    campaign_id = make_campaign(api, owner, list_id)
    with TestCase.captureOnCommitCallbacks(execute=True):
        api.post(f"/accounts/{owner.account.name}/campaigns/{campaign_id}/start")
    run_jobs("sending", "default")
    message = Message.objects.get(campaign_id=campaign_id)
    Event.objects.create(
        account_id=owner.account.pk, message=message, campaign_id=campaign_id, type="open", at=message.sent_at
    )
    assert "b@example.com" in admin_client.get("/admin/campaigns/message/").content.decode()
    page = admin_client.get(f"/admin/campaigns/message/{message.pk}/change/").content.decode()
    assert "b@example.com" in page and "open" in page and "250" in page
