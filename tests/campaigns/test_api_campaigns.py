"""The campaigns resource on both surfaces: writes, validation, pages, actions per status, the task it follows,
isolation between accounts, and its counters."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus, Message
from tasks.models import Task
from tests.campaigns.builders import (
    CampaignPaths,
    act,
    action_names,
    audience,
    campaign_body,
    campaign_row,
    create_campaign,
    get_campaign,
    messages_of,
    nonzero,
    post,
    put,
    send,
    start,
    v1,
)
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import assert_every_page, create_field, create_list, md5, subscribed, unsubscribe

VALIDATION = "/errors/400.2-validation-error"
MISSING = "/errors/400.24-missing-data"
NOT_READY = "/errors/400.42-campaign-not-ready"
LOCKED = "/errors/409.6-campaign-locked"
NOT_ALLOWED = "/errors/409.7-campaign-action-not-allowed"
NOT_FOUND = "/errors/404.1-not-found"
FORBIDDEN = "/errors/403.1-forbidden-wrong-account"
# The actions each status offers in `_links`, in order.
EXPECTED_ACTIONS = {
    "draft": ["start", "edit", "delete"],
    "scheduled": ["start", "cancel", "edit"],
    "sending": ["pause", "cancel"],
    "paused": ["start", "cancel"],
    "sent": ["delete"],
    "canceled": ["delete"],
}


@pytest.fixture
def paths(owner):
    return CampaignPaths(owner)


def future(minutes=60) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def make_zoo(api, smtp_server) -> dict[str, int]:  # noqa: F811
    """One campaign in each status, all to one list of two active subscribers."""
    list_id, _ = audience(api, 2)
    ids = {"sent": create_campaign(api, [list_id], name="sent")}
    start(api, ids["sent"])
    send()
    ids["draft"] = create_campaign(api, [list_id], name="draft")
    ids["scheduled"] = create_campaign(api, [list_id], name="scheduled", scheduledAt=future())
    for status in ("sending", "paused", "canceled"):
        ids[status] = create_campaign(api, [list_id], name=status)
        start(api, ids[status])
    assert_hypermedia(act(api, ids["paused"], "pause"), 200, "message")
    assert_hypermedia(act(api, ids["canceled"], "cancel"), 200, "message")
    for status, campaign_id in ids.items():
        assert campaign_row(campaign_id).status == status
    return ids


# --- Create, get ---------------------------------------------------------------------------------


def test_create_and_get_on_the_blueprint_surface(api, paths):
    list_id = create_list(api, "News")
    body = campaign_body([list_id], replyTo="help@shop.example.com", preheader="Ten percent off")
    response = post(api, paths.campaigns, body)
    message = assert_hypermedia(response, 201, "message")
    campaign_id = int(response["Location"].rsplit("/", 1)[1])
    assert response["Location"] == paths.campaign(campaign_id)
    assert links_by_rel(message, "/rels/campaign")[0]["href"] == paths.campaign(campaign_id)

    got = get_campaign(api, campaign_id)
    for member in ("name", "subject", "fromName", "fromEmail", "replyTo", "preheader", "html", "text", "lists"):
        assert got[member] == body[member], member
    assert (got["campaignId"], got["status"], got["scheduledAt"], got["taskId"]) == (campaign_id, "draft", None, None)
    assert set(got["stats"].values()) == {0}
    assert links_by_rel(got, "self")[0]["href"] == paths.campaign(campaign_id)
    assert links_by_rel(got, "/rels/list")[0]["href"] == paths.list(list_id)
    assert links_by_rel(got, "/rels/campaigns-collection")[0]["href"] == paths.campaigns


def test_create_and_get_on_api_v1(api, paths):
    list_id = create_list(api, "News")
    response = post(api, v1(), campaign_body([list_id]))
    created = assert_hypermedia(response, 201, "campaign")
    campaign_id = created["campaignId"]
    assert response["Location"] == v1(campaign_id)
    assert links_by_rel(created, "self")[0]["href"] == v1(campaign_id)
    got = assert_hypermedia(api.get(v1(campaign_id)), 200, "campaign")
    assert got == created
    # The same campaign on the Blueprint surface: only hrefs differ.
    other = get_campaign(api, campaign_id)
    assert {k: v for k, v in other.items() if k not in ("_links", "updatedAt")} == {
        k: v for k, v in got.items() if k not in ("_links", "updatedAt")
    }


@pytest.mark.parametrize("surface", ["accounts", "v1"])
def test_missing_name_is_400_24(api, paths, surface):
    path = paths.campaigns if surface == "accounts" else v1()
    body = assert_problem(api.post(path, {"subject": "Hi"}), 400, MISSING, 24)
    assert [e["field"] for e in body["errors"]] == ["name"]
    assert not Campaign.objects.exists()


def invalid_cases(other_list):
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    return {
        "fromEmail": {"fromEmail": "not-an-address"},
        "replyTo": {"replyTo": "nobody@"},
        "lists": {"lists": [999_999]},
        "lists-of-another-account": {"lists": [other_list]},
        "subject": {"subject": "Hello {{ nickname }}"},
        "html": {"html": "<p>{{ shoeSize | 42 }}</p>"},
        "text": {"text": "Hi {{ firstName"},
        "malformed-html": {"html": "<p>{{ firstName }} and {{ oops</p>"},
        "preheader": {"preheader": "Just for you, {{ nickname | friend }}"},
        "malformed-preheader": {"preheader": "{{ firstName"},
        "scheduledAt": {"scheduledAt": past},
    }


@pytest.mark.parametrize("surface", ["accounts", "v1"])
@pytest.mark.parametrize(
    "case",
    [
        "fromEmail",
        "replyTo",
        "lists",
        "lists-of-another-account",
        "subject",
        "html",
        "text",
        "malformed-html",
        "preheader",
        "malformed-preheader",
        "scheduledAt",
    ],
)
def test_invalid_member_is_400_2_naming_it(api, paths, client_for, other, surface, case):
    list_id = create_list(api, "News")
    subscribed(api, list_id, "a@example.com")
    theirs = create_list(client_for(other), "Theirs")
    override = invalid_cases(theirs)[case]
    field = case.split("-")[-1] if case.startswith("malformed") else case.split("-")[0]
    path = paths.campaigns if surface == "accounts" else v1()
    body = assert_problem(post(api, path, {**campaign_body([list_id]), **override}), 400, VALIDATION, 2)
    assert [e["field"] for e in body["errors"]] == [field], body
    assert not Campaign.objects.exists()


def test_every_invalid_member_is_named_at_once(api, paths):
    body = assert_problem(
        post(
            api,
            paths.campaigns,
            campaign_body(
                [424242], subject="{{ nope }}", text="{{", scheduledAt=(timezone.now() - timedelta(days=1)).isoformat()
            ),
        ),
        400,
        VALIDATION,
        2,
    )
    assert sorted(e["field"] for e in body["errors"]) == ["lists", "scheduledAt", "subject", "text"]


def test_unknown_campaign_is_404(api, paths):
    assert_problem(api.get(paths.campaign(987654)), 404, NOT_FOUND, 1)
    assert_problem(api.get(v1(987654)), 404, NOT_FOUND, 1)
    assert_problem(post(api, paths.action(987654, "start")), 404, NOT_FOUND, 1)


# --- Collections ---------------------------------------------------------------------------------


def test_collection_pages_on_the_blueprint_surface(api, paths):
    ids = [create_campaign(api, name=f"C{i}") for i in range(12)]
    assert_every_page(
        api,
        paths.campaigns,
        ids,
        per_page=5,
        profile="campaigns-collection",
        collection_rel="/rels/campaigns-collection",
        affordances=["/rels/create-campaign", "/rels/account-home"],
        key=lambda item: item["campaignId"],
    )
    body = assert_hypermedia(api.get(paths.campaigns), 200, "campaigns-collection")
    item = body["items"][0]
    assert (item["name"], item["status"], item["subject"]) == ("C0", "draft", "Hello {{ firstName | friend }}")
    assert "html" not in item  # a summary
    assert links_by_rel(item, "item")[0]["href"] == paths.campaign(ids[0])


def test_collection_pages_on_api_v1(api):
    ids = [create_campaign(api, name=f"C{i}") for i in range(5)]
    body = assert_hypermedia(api.get(f"{v1()}?limit=2&offset=2"), 200, "campaigns-page")
    assert [item["campaignId"] for item in body["items"]] == ids[2:4]
    assert (body["limit"], body["offset"], body["total"]) == (2, 2, 5)
    assert [(item["rel"], item["href"]) for item in body["_links"]] == [
        ("self /rels/campaigns-collection", f"{v1()}?limit=2&offset=2"),
        ("prev /rels/campaigns-collection", f"{v1()}?limit=2&offset=0"),
        ("next /rels/campaigns-collection", f"{v1()}?limit=2&offset=4"),
    ]
    last = assert_hypermedia(api.get(f"{v1()}?limit=2&offset=4"), 200, "campaigns-page")
    assert [item["campaignId"] for item in last["items"]] == ids[4:]
    assert "next" not in " ".join(item["rel"] for item in last["_links"])
    assert_problem(api.get(f"{v1()}?limit=0"), 400, "/errors/400.3-invalid-parameter", 3)


def test_status_filter_and_bad_status(api, paths, smtp_server):  # noqa: F811
    zoo = make_zoo(api, smtp_server)
    for status, campaign_id in zoo.items():
        body = assert_hypermedia(api.get(f"{paths.campaigns}?status={status}"), 200, "campaigns-collection")
        assert [item["campaignId"] for item in body["items"]] == [campaign_id]
        assert body["itemsCount"] == 1
        assert links_by_rel(body, "self")[0]["href"] == f"{paths.campaigns}?page=1&status={status}"
        page = assert_hypermedia(api.get(f"{v1()}?status={status}"), 200, "campaigns-page")
        assert [item["campaignId"] for item in page["items"]] == [campaign_id]
        assert page["total"] == 1
    for value in ("Draft", "running", "done"):
        for path in (paths.campaigns, v1()):
            body = assert_problem(api.get(f"{path}?status={value}"), 400, "/errors/400.3-invalid-parameter", 3)
            assert [e["field"] for e in body["errors"]] == ["status"]


# --- Replace, delete -----------------------------------------------------------------------------


def test_put_replaces_a_draft_on_both_surfaces(api, paths):
    first, second = create_list(api, "One"), create_list(api, "Two")
    campaign_id = create_campaign(api, [first], replyTo="help@shop.example.com", preheader="Hidden")
    replacement = {"name": "Renamed", "subject": "New {{ LASTNAME }}", "html": "<p>x</p>", "lists": [second, first]}
    message = assert_hypermedia(put(api, paths.campaign(campaign_id), replacement), 200, "message")
    assert links_by_rel(message, "/rels/campaign")[0]["href"] == paths.campaign(campaign_id)
    got = get_campaign(api, campaign_id)
    assert (got["name"], got["subject"], got["html"], got["lists"]) == (
        "Renamed",
        "New {{ LASTNAME }}",
        "<p>x</p>",
        sorted([first, second]),
    )
    # A PUT replaces: what it leaves out is reset.
    assert (got["fromName"], got["fromEmail"], got["replyTo"], got["preheader"], got["text"]) == ("", "", "", "", "")
    assert got["status"] == "draft"

    body = assert_hypermedia(put(api, v1(campaign_id), {"name": "Again", "lists": []}), 200, "campaign")
    assert (body["name"], body["lists"], body["subject"]) == ("Again", [], "")
    assert_problem(put(api, v1(campaign_id), {"name": "Bad", "text": "{{ nope }}"}), 400, VALIDATION, 2)
    assert_problem(put(api, v1(campaign_id), {"subject": "no name"}), 400, MISSING, 24)
    assert campaign_row(campaign_id).name == "Again"


def test_put_on_a_scheduled_campaign_reschedules_or_drafts_it(api, paths):
    list_id, _ = audience(api, 1)
    campaign_id = create_campaign(api, [list_id], scheduledAt=future(60))
    assert get_campaign(api, campaign_id)["status"] == "scheduled"
    later = future(120)
    assert_hypermedia(put(api, paths.campaign(campaign_id), campaign_body([list_id], scheduledAt=later)), 200)
    row = campaign_row(campaign_id)
    assert row.status == "scheduled" and abs((row.scheduled_at - timezone.now()).total_seconds() - 7200) < 60
    assert_hypermedia(put(api, paths.campaign(campaign_id), campaign_body([list_id], scheduledAt=None)), 200)
    got = get_campaign(api, campaign_id)
    assert (got["status"], got["scheduledAt"]) == ("draft", None)


def test_scheduling_needs_a_ready_campaign(api, paths):
    list_id = create_list(api, "Empty")
    body = assert_problem(
        post(api, paths.campaigns, campaign_body([list_id], scheduledAt=future())), 400, NOT_READY, 42
    )
    assert [e["field"] for e in body["errors"]] == ["lists"]
    assert not Campaign.objects.exists()


SURFACES = ("accounts", "v1")


def detail_path(paths, campaign_id, surface) -> str:
    return paths.campaign(campaign_id) if surface == "accounts" else v1(campaign_id)


def test_put_is_409_6_once_sending_has_begun(api, paths, smtp_server):  # noqa: F811
    zoo = make_zoo(api, smtp_server)
    for surface in SURFACES:
        for status in ("sending", "paused", "sent", "canceled"):
            campaign_id = zoo[status]
            response = put(api, detail_path(paths, campaign_id, surface), campaign_body([], name="Changed"))
            assert status in assert_problem(response, 409, LOCKED, 6)["detail"]
            row = campaign_row(campaign_id)
            assert (row.name, row.status) == (status, status)


def test_delete_only_a_draft_or_a_finished_campaign(api, paths, smtp_server):  # noqa: F811
    zoo = make_zoo(api, smtp_server)
    sent_messages = Message.objects.filter(campaign_id=zoo["sent"]).count()
    assert sent_messages == 2
    for surface in SURFACES:
        for status in ("scheduled", "sending", "paused"):
            body = assert_problem(api.delete(detail_path(paths, zoo[status], surface)), 409, NOT_ALLOWED, 7)
            assert status in body["detail"]
            assert campaign_row(zoo[status]).status == status
    for status, surface in (("draft", "accounts"), ("sent", "v1"), ("canceled", "accounts")):
        path = detail_path(paths, zoo[status], surface)
        response = api.delete(path)
        if surface == "accounts":
            body = assert_hypermedia(response, 200, "message")
            assert links_by_rel(body, "/rels/campaigns-collection")[0]["href"] == paths.campaigns
        else:
            assert response.status_code == 204 and response.content == b""
        assert_problem(api.get(path), 404, NOT_FOUND, 1)
        assert_problem(
            api.get(detail_path(paths, zoo[status], "v1" if surface == "accounts" else "accounts")), 404, NOT_FOUND, 1
        )
    # The sent campaign's messages stay, for the account's analytics.
    assert Message.objects.filter(campaign_id=None).count() == sent_messages


# --- Actions -------------------------------------------------------------------------------------


def test_start_of_an_unready_campaign_names_each_gap(api, paths):
    campaign_id = create_campaign(api, subject="", fromEmail="", html="", text="")
    body = assert_problem(act(api, campaign_id, "start"), 400, NOT_READY, 42)
    assert [e["field"] for e in body["errors"]] == ["subject", "fromEmail", "html", "lists"]
    for word in ("subject", "from address", "content", "list"):
        assert word in body["detail"], word

    empty = create_list(api, "Nobody active")
    unsubscribe(api, subscribed(api, empty, "gone@example.com"))
    assert_hypermedia(put(api, paths.campaign(campaign_id), campaign_body([empty])), 200)
    body = assert_problem(act(api, campaign_id, "start", surface="v1"), 400, NOT_READY, 42)
    assert body["errors"] == [{"field": "lists", "detail": "the campaign's lists have no active subscribers"}]
    assert campaign_row(campaign_id).status == "draft" and not Task.objects.exists()


def test_start_names_a_merge_tag_whose_field_was_deleted(api, paths):
    create_field(api, "nickname", "string")
    list_id, _ = audience(api, 1)
    campaign_id = create_campaign(api, [list_id], subject="Hey {{ nickname }}")
    assert_hypermedia(api.delete(f"{paths.fields}/nickname"), 200, "message")
    body = assert_problem(act(api, campaign_id, "start"), 400, NOT_READY, 42)
    assert [e["field"] for e in body["errors"]] == ["subject"]
    assert "nickname" in body["detail"]


def test_each_action_in_each_status(api, paths, smtp_server):  # noqa: F811
    zoo = make_zoo(api, smtp_server)
    allowed = {
        "start": {"draft", "scheduled", "paused"},
        "pause": {"sending"},
        "cancel": {"scheduled", "sending", "paused"},
    }
    for surface in SURFACES:
        for name, statuses in allowed.items():
            for status in set(zoo) - statuses:
                body = assert_problem(act(api, zoo[status], name, surface=surface), 409, NOT_ALLOWED, 7)
                assert status in body["detail"] and name in body["detail"]
                assert campaign_row(zoo[status]).status == status
    assert_hypermedia(act(api, zoo["sending"], "pause", surface="v1"), 200, "message")
    assert campaign_row(zoo["sending"]).status == "paused"
    body = assert_hypermedia(act(api, zoo["paused"], "start"), 200, "message")
    assert body["message"] == "Campaign started"
    assert campaign_row(zoo["paused"]).status == "sending"
    assert_hypermedia(act(api, zoo["scheduled"], "cancel", surface="v1"), 200, "message")
    row = campaign_row(zoo["scheduled"])
    assert row.status == "canceled" and row.finished_at is not None and row.task_id is None
    assert_hypermedia(act(api, zoo["draft"], "start", surface="v1"), 200, "message")
    send()  # the resumed and the started campaign are sent; the sending one was paused and stays so
    assert {status: campaign_row(zoo[status]).status for status in ("paused", "draft", "sending")} == {
        "paused": "sent",
        "draft": "sent",
        "sending": "paused",
    }
    assert smtp_server.per_recipient() == {"p0@example.com": 3, "p1@example.com": 3}


def test_links_list_only_the_actions_allowed_now(api, paths, smtp_server):  # noqa: F811
    zoo = make_zoo(api, smtp_server)
    collection = assert_hypermedia(api.get(paths.campaigns), 200, "campaigns-collection")
    items = {item["campaignId"]: item for item in collection["items"]}
    page = assert_hypermedia(api.get(v1()), 200, "campaigns-page")
    v1_items = {item["campaignId"]: item for item in page["items"]}
    for status, campaign_id in zoo.items():
        expected = EXPECTED_ACTIONS[status]
        detail = get_campaign(api, campaign_id)
        v1_detail = assert_hypermedia(api.get(v1(campaign_id)), 200, "campaign")
        for body, surface in (
            (detail, "accounts"),
            (items[campaign_id], "accounts"),
            (v1_detail, "v1"),
            (v1_items[campaign_id], "v1"),
        ):
            assert action_names(body) == expected, (status, surface, body["_links"])
            base = paths.campaign(campaign_id) if surface == "accounts" else v1(campaign_id)
            for name in expected:
                href = next(item["href"] for item in body["_links"] if f"/rels/{name}-campaign" in item["rel"])
                assert href == (base if name in ("edit", "delete") else f"{base}/{name}"), (name, href)
        # The written-message links of an action offer the same.
        if status == "sending":
            message = assert_hypermedia(act(api, campaign_id, "pause"), 200, "message")
            assert action_names(message) == EXPECTED_ACTIONS["paused"]
        has_task = status in ("sent", "sending", "paused", "canceled")
        assert bool(links_by_rel(detail, "/rels/task")) == has_task, status
        assert (detail["taskId"] is not None) == has_task


# --- The task it follows -------------------------------------------------------------------------


def task_action(api, task_id, name):
    return post(api, f"{CampaignPaths(api.owner).tasks}/{task_id}/{name}")


def test_campaign_follows_its_task_paused_and_started_from_the_tasks_resource(api, paths, smtp_server):  # noqa: F811
    list_id, emails = audience(api, 3)
    campaign_id = create_campaign(api, [list_id])
    start(api, campaign_id)
    task_id = get_campaign(api, campaign_id)["taskId"]
    task = assert_hypermedia(api.get(paths.task(task_id)), 200, "task")
    assert (task["type"], task["status"]) == ("campaign-send", "queued")
    assert links_by_rel(task, "/rels/campaign")[0]["href"] == paths.campaign(campaign_id)

    assert_hypermedia(task_action(api, task_id, "pause"), 200, "message")
    assert get_campaign(api, campaign_id)["status"] == "paused"
    send()  # the senders find the task paused and send nothing
    assert smtp_server.per_recipient() == {} and get_campaign(api, campaign_id)["status"] == "paused"

    assert_hypermedia(task_action(api, task_id, "start"), 200, "message")
    assert get_campaign(api, campaign_id)["status"] == "sending"
    send()
    body = get_campaign(api, campaign_id)
    assert body["status"] == "sent" and body["finishedAt"] is not None
    assert smtp_server.per_recipient() == dict.fromkeys(emails, 1)

    task = assert_hypermedia(api.get(paths.task(task_id)), 200, "task")
    assert task["status"] == "done"
    assert task["result"] == {
        "recipients": 3,
        "sent": 3,
        "hardBounces": 0,
        "softBounces": 0,
        "skipped": 0,
        "failed": 0,
        "unknown": 0,
        "canceled": 0,
    }
    assert (task["progress"]["total"], task["progress"]["processed"], task["progress"]["succeeded"]) == (3, 3, 3)
    listed = assert_hypermedia(api.get(f"{paths.tasks}?status=done"), 200, "tasks-collection")
    assert [(item["taskId"], item["type"]) for item in listed["items"]] == [(task_id, "campaign-send")]


def test_stopping_the_task_cancels_the_campaign_and_its_queued_messages(api, paths, smtp_server):  # noqa: F811
    from campaigns.sending import _write_recipients
    from tasks.services import task_join

    list_id, _emails = audience(api, 3)
    campaign_id = create_campaign(api, [list_id])
    start(api, campaign_id)
    task_id = campaign_row(campaign_id).task_id
    # A sender joined and wrote the recipients, then the task was stopped before any was sent.
    _write_recipients(campaign_row(campaign_id), task_join(task_id=task_id))
    assert get_campaign(api, campaign_id)["status"] == "sending"
    assert_hypermedia(task_action(api, task_id, "stop"), 200, "message")
    body = get_campaign(api, campaign_id)
    assert body["status"] == "canceled" and body["finishedAt"] is not None
    assert nonzero(body["stats"]) == {"recipients": 3, "canceled": 3}
    assert {m.status for m in messages_of(campaign_id).values()} == {"canceled"}
    task = assert_hypermedia(api.get(paths.task(task_id)), 200, "task")
    assert (task["status"], task["progress"]["processed"], task["progress"]["failed"]) == ("canceled", 3, 3)
    send()
    assert smtp_server.per_recipient() == {}
    assert_problem(act(api, campaign_id, "start"), 409, NOT_ALLOWED, 7)


def joined_sender(api, count: int = 3):
    """A started campaign whose sender has joined its task but not yet written the recipients."""
    from tasks.services import task_join

    list_id, emails = audience(api, count)
    campaign_id = create_campaign(api, [list_id])
    start(api, campaign_id)
    return campaign_id, task_join(task_id=campaign_row(campaign_id).task_id), emails


def test_a_cancel_just_after_a_sender_joined_leaves_nothing_queued(api, smtp_server):  # noqa: F811
    from campaigns.sending import _write_recipients

    campaign_id, task, _ = joined_sender(api)
    assert_hypermedia(act(api, campaign_id, "cancel"), 200)
    _write_recipients(campaign_row(campaign_id), task)  # the sender goes on: it must not queue anything now
    send()
    assert not Message.objects.filter(campaign_id=campaign_id).exclude(status="canceled").exists()
    body = get_campaign(api, campaign_id)
    assert body["status"] == "canceled" and nonzero(body["stats"]) == {}
    assert smtp_server.per_recipient() == {}


def test_a_pause_just_after_a_sender_joined_resumes_to_everyone(api, smtp_server):  # noqa: F811
    from campaigns.sending import _write_recipients

    campaign_id, task, emails = joined_sender(api)
    assert_hypermedia(act(api, campaign_id, "pause"), 200)
    _write_recipients(campaign_row(campaign_id), task)
    send()
    assert get_campaign(api, campaign_id)["status"] == "paused"
    assert_hypermedia(act(api, campaign_id, "start"), 200)
    send()
    body = get_campaign(api, campaign_id)
    assert body["status"] == "sent" and nonzero(body["stats"]) == {"recipients": 3, "sent": 3}
    assert smtp_server.per_recipient() == dict.fromkeys(emails, 1)


# --- Isolation -----------------------------------------------------------------------------------


def test_campaigns_of_another_account_are_out_of_reach(api, anon, paths, client_for, other):
    theirs = client_for(other)
    their_list = create_list(theirs, "Theirs")
    subscribed(theirs, their_list, "t@example.com")
    their_id = create_campaign(theirs, [their_list], name="Theirs")
    mine = create_campaign(api, name="Mine")
    their_paths = CampaignPaths(other)

    assert_problem(api.get(their_paths.campaigns), 403, FORBIDDEN, 1)
    assert_problem(api.get(their_paths.campaign(their_id)), 403, FORBIDDEN, 1)
    assert_problem(post(api, their_paths.action(their_id, "start")), 403, FORBIDDEN, 1)
    assert_problem(api.delete(their_paths.campaign(their_id)), 403, FORBIDDEN, 1)
    assert_problem(post(api, their_paths.campaigns, campaign_body()), 403, FORBIDDEN, 1)

    assert_problem(api.get(paths.campaign(their_id)), 404, NOT_FOUND, 1)
    assert_problem(api.get(v1(their_id)), 404, NOT_FOUND, 1)
    assert_problem(put(api, v1(their_id), campaign_body()), 404, NOT_FOUND, 1)
    assert_problem(api.delete(v1(their_id)), 404, NOT_FOUND, 1)
    for name in ("start", "pause", "cancel"):
        assert_problem(act(api, their_id, name, surface="v1"), 404, NOT_FOUND, 1)
        assert_problem(act(api, their_id, name), 404, NOT_FOUND, 1)

    assert [item["campaignId"] for item in assert_hypermedia(api.get(v1()), 200)["items"]] == [mine]
    assert [item["campaignId"] for item in assert_hypermedia(theirs.get(v1()), 200)["items"]] == [their_id]
    assert assert_hypermedia(api.get(paths.campaigns), 200)["itemsCount"] == 1
    row = campaign_row(their_id)
    assert (row.name, row.status) == ("Theirs", "draft")
    assert_problem(anon.get(v1()), 401)
    assert_problem(anon.get(v1(mine)), 401)


# --- Stats and counters --------------------------------------------------------------------------


def test_stats_summary_after_a_send(api, paths, owner, smtp_server):  # noqa: F811
    list_id, emails = audience(api, 5)
    unsubscribe(api, md5(emails[4]))  # not a recipient
    smtp_server.reply[emails[1]] = "550 5.1.1 No such user"
    campaign_id = create_campaign(api, [list_id])
    start(api, campaign_id)
    send()
    body = get_campaign(api, campaign_id)
    assert body["status"] == "sent"
    assert nonzero(body["stats"]) == {"recipients": 4, "sent": 3, "hardBounces": 1}
    listed = assert_hypermedia(api.get(paths.campaigns), 200, "campaigns-collection")["items"][0]
    assert listed["stats"] == body["stats"]
    assert assert_hypermedia(api.get(v1(campaign_id)), 200, "campaign")["stats"] == body["stats"]
    assert sorted(smtp_server.per_recipient()) == sorted([emails[0], emails[2], emails[3]])


def assert_counters_exact(api, paths, account) -> None:
    for status in [None, *CampaignStatus.values]:
        rows = Campaign.objects.filter(account=account)
        rows = rows.filter(status=status) if status else rows
        query = f"?status={status}" if status else ""
        assert assert_hypermedia(api.get(f"{paths.campaigns}{query}"), 200)["itemsCount"] == rows.count(), status
        assert assert_hypermedia(api.get(f"{v1()}{query}"), 200)["total"] == rows.count(), status


def test_counters_per_status_stay_exact(api, paths, owner, smtp_server):  # noqa: F811
    zoo = make_zoo(api, smtp_server)
    create_campaign(api, name="another draft")
    assert_counters_exact(api, paths, owner.account)
    assert_hypermedia(act(api, zoo["paused"], "start"), 200)
    assert_hypermedia(act(api, zoo["scheduled"], "cancel"), 200)
    assert_counters_exact(api, paths, owner.account)
    send()  # paused → sending → sent, and the sending one too
    assert campaign_row(zoo["sending"]).status == "sent"
    assert_counters_exact(api, paths, owner.account)
    for status in ("draft", "sent", "canceled"):
        assert api.delete(paths.campaign(zoo[status])).status_code == 200
    assert_counters_exact(api, paths, owner.account)
    assert assert_hypermedia(api.get(paths.campaigns), 200)["itemsCount"] == 4
