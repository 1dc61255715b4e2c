"""A representative write of every resource, made with an API key, leaves exactly one entry in the account's
trail: the key (prefix and name), the action, the object and the request's id; a write that fails leaves none."""

import pytest
from django.db import transaction

from api.audit import KEY, acting, key_actor
from lists.models import MailingList
from lists.services import list_create, list_update
from tests.campaigns.builders import CampaignPaths, create_campaign
from tests.domains.builders import add_domain
from tests.helpers import assert_problem
from tests.segments.builders import create_segment, field, segments_path
from tests.signup.builders import create_form
from tests.subscribers.builders import Paths, create_list, md5, subscribed
from tests.templates.builders import create_template, templates_path

from .builders import new_entries, one_entry


def written(api, call, action: str, object_type: str, object_id=None):
    """Run ``call()`` (one request) and check its one entry."""
    with new_entries() as entries:
        response = call()
    assert response.status_code < 300, response.content
    entry = one_entry(entries)
    assert (entry.action, entry.object_type) == (action, object_type)
    if object_id is not None:
        assert entry.object_id == str(object_id)
    assert entry.account_id == api.owner.account.pk
    assert (entry.actor_kind, entry.actor_id, entry.actor_name) == (KEY, api.owner.key[:8].lower(), "test")
    assert entry.request_id == response["X-Request-ID"]
    return entry, response


def test_lists(api):
    paths = Paths(api.owner)
    entry, response = written(api, lambda: api.post(paths.lists, {"name": "News"}), "list.create", "list")
    list_id = int(response["Location"].rsplit("/", 1)[1])
    assert entry.object_id == str(list_id) and entry.details == {"name": "News"}
    written(api, lambda: api.put(paths.list(list_id), {"name": "Weekly"}), "list.update", "list", list_id)
    written(api, lambda: api.delete(paths.list(list_id)), "list.delete", "list", list_id)


def test_subscribers(api):
    paths = Paths(api.owner)
    list_id = create_list(api, "News")
    email_md5 = md5("ann@example.com")
    entry, _ = written(
        api,
        lambda: api.post(paths.list_subscribers(list_id), {"emailAddress": "ann@example.com"}),
        "subscriber.subscribe",
        "subscriber",
        email_md5,
    )
    assert entry.details == {"listId": list_id, "created": True, "pending": False}
    assert "ann@example.com" not in str(entry.details)  # the trail names a subscriber by its MD5 only
    written(api, lambda: api.post(paths.unsubscribe(email_md5), {}), "subscriber.unsubscribe", "subscriber", email_md5)
    written(api, lambda: api.delete(paths.membership(list_id, email_md5)), "subscriber.remove", "subscriber", email_md5)


def test_contacts_on_api_v1(api):
    list_id = create_list(api, "News")
    body = {"emailAddress": "bob@example.com", "lists": [list_id]}
    email_md5 = md5("bob@example.com")
    written(api, lambda: api.post("/api/v1/contacts", body), "subscriber.create", "subscriber", email_md5)
    written(api, lambda: api.delete(f"/api/v1/contacts/{email_md5}"), "subscriber.erase", "subscriber", email_md5)


def test_fields(api):
    paths = Paths(api.owner)
    call = lambda: api.post(paths.fields, {"fieldName": "city", "type": "string"})  # noqa: E731
    written(api, call, "field.create", "field", "city")
    written(api, lambda: api.delete(paths.field("city")), "field.delete", "field", "city")


def test_segments_templates_forms_and_domains(api):
    list_id = create_list(api, "News")
    with new_entries() as entries:
        segment_id = create_segment(api, [field("firstName", "equals", "Ann")])
    assert (one_entry(entries).action, one_entry(entries).object_id) == ("segment.create", str(segment_id))
    written(api, lambda: api.delete(f"{segments_path(api)}/{segment_id}"), "segment.delete", "segment", segment_id)
    with new_entries() as entries:
        template_id = create_template(api)
    assert (one_entry(entries).action, one_entry(entries).object_id) == ("template.create", str(template_id))
    written(api, lambda: api.delete(f"{templates_path(api)}/{template_id}"), "template.delete", "template", template_id)
    with new_entries() as entries:
        form = create_form(api, [list_id])
    assert one_entry(entries).action == "form.create"
    with new_entries() as entries:
        domain = add_domain(api)
    assert (one_entry(entries).action, one_entry(entries).details["name"]) == ("domain.create", domain["domain"])
    assert form


def test_campaigns_and_their_task(api):
    paths = CampaignPaths(api.owner)
    list_id = create_list(api, "News")
    subscribed(api, list_id, "ann@example.com")
    with new_entries() as entries:
        campaign_id = create_campaign(api, [list_id])
    entry = one_entry(entries)
    assert (entry.action, entry.object_id, entry.details["status"]) == ("campaign.create", str(campaign_id), "draft")
    entry, _ = written(
        api, lambda: api.post(paths.action(campaign_id, "start")), "campaign.start", "campaign", campaign_id
    )
    # Pausing a campaign pauses its task: one entry, the campaign's.
    written(api, lambda: api.post(paths.action(campaign_id, "pause")), "campaign.pause", "campaign", campaign_id)
    written(api, lambda: api.post(paths.action(campaign_id, "cancel")), "campaign.cancel", "campaign", campaign_id)


def test_imports_exports_and_tasks(api):
    list_id = create_list(api, "News")
    path = f"{Paths(api.owner).list(list_id)}/import"
    call = lambda: api.request("POST", path, b"email\nann@example.com\n", content_type="text/csv")  # noqa: E731
    entry, response = written(api, call, "import.submit", "task")
    task_id = int(response["Location"].rsplit("/", 1)[1])
    assert entry.object_id == str(task_id) and entry.details["listId"] == list_id
    written(api, lambda: api.post(f"{CampaignPaths(api.owner).task(task_id)}/stop"), "task.stop", "task", task_id)
    entry, _ = written(api, lambda: api.post("/api/v1/exports", {"kind": "subscribers"}), "export.submit", "task")


def test_single_emails_keys_and_webhooks(api, settings):
    body = {"to": "ann@example.com", "subject": "Hi", "html": "<p>Hi</p>", "fromEmail": "shop@example.com"}
    entry, response = written(api, lambda: api.post("/api/v1/emails/send", body), "email.send", "email")
    assert entry.object_id == str(response.json()["emailId"])
    keys = f"/accounts/{api.owner.name}/keys"
    entry, response = written(api, lambda: api.post(keys, {"name": "ci", "scopes": ["read"]}), "key.create", "key")
    assert entry.details["name"] == "ci" and entry.details["scopes"] == ["read"]
    key_id = entry.object_id
    written(api, lambda: api.post(f"{keys}/{key_id}/revoke"), "key.revoke", "key", key_id)
    settings.CALLBACK_ALLOW_PRIVATE_ADDRESSES = True
    hooks = f"/accounts/{api.owner.name}/webhooks"
    call = lambda: api.post(hooks, {"url": "http://127.0.0.1:9/hook", "eventTypes": ["subscriber.created"]})  # noqa: E731
    entry, response = written(api, call, "webhook.create", "webhook")
    written(api, lambda: api.delete(f"{hooks}/{entry.object_id}"), "webhook.delete", "webhook", entry.object_id)


def test_a_failed_write_leaves_no_entry(api):
    create_list(api, "News")
    with new_entries() as entries:
        assert_problem(api.post(Paths(api.owner).lists, {"name": "news"}), 400)
    assert entries == []


def test_a_write_rolled_back_after_its_entry_takes_the_entry_with_it(api, owner):
    """The entry is written in the write's transaction: whatever undoes the write undoes it."""

    def doomed():
        with transaction.atomic(), acting(key_actor(owner.account.api_keys.first())):
            list_create(account=owner.account, name="Doomed")
            raise RuntimeError("rolled back")

    with new_entries() as entries, pytest.raises(RuntimeError):
        doomed()
    assert entries == []


def test_reads_and_unauthenticated_work_record_nothing(api, owner):
    list_id = create_list(api, "News")
    with new_entries() as entries:
        api.get(Paths(api.owner).lists)
        api.get(Paths(api.owner).list(list_id))
    assert entries == []
    # Without an actor (a worker, a public page) a service records nothing.
    with new_entries() as entries:
        list_update(mailing_list=MailingList.objects.get(pk=list_id), name="Renamed by a job")
    assert entries == []
