"""Consent records through imports (set-based, with and without double opt-in), the back office, and campaigns:
pending members are never recipients."""

from django.test import TestCase

from subscribers.models import Consent, Membership, Subscriber
from tests.campaigns.builders import create_campaign, send, start
from tests.consent.builders import UA, browser, confirmation_links, consent_of, create_double_list, subscribe
from tests.subscribers.builders import create_list, md5
from tests.tasks.builders import get_task, queues, run_jobs, task_id_of  # noqa: F401 (a fixture)

ITEMS = [{"emailAddress": f"imp{n}@example.com"} for n in range(5)]


def import_json(api, list_id, body: dict, query: str = "") -> dict:
    with TestCase.captureOnCommitCallbacks(execute=True):
        path = f"/accounts/{api.owner.name}/lists/{list_id}/subscribers/import" + (f"?{query}" if query else "")
        response = api.post(path, body, HTTP_USER_AGENT=UA)
    task_id = task_id_of(response)
    run_jobs()
    return get_task(api, task_id)


def test_an_import_with_double_opt_in_makes_pending_members_and_queues_confirmations(api, smtp_server, queues):  # noqa: F811
    list_id = create_list(api, "Imported")
    subscribe(api, list_id, "imp0@example.com")  # a member already: stays one, no email
    task = import_json(api, list_id, {"items": ITEMS, "doubleOptIn": True})
    assert task["status"] == "done"
    assert (task["result"]["pending"], task["result"]["alreadyInList"]) == (4, 1)
    assert Membership.objects.filter(list_id=list_id).count() == 1
    pending = Consent.objects.filter(list_id=list_id, double_opt_in=True, confirmed_at__isnull=True)
    assert pending.count() == 4
    assert {(c.source, c.ip, c.user_agent) for c in pending} == {("import", "127.0.0.1", UA)}
    assert all(c.sends == 1 and c.sent_at is not None for c in pending)  # queued by the job
    links = {n: confirmation_links(smtp_server, f"imp{n}@example.com") for n in range(5)}
    assert [len(links[n]) for n in range(5)] == [0, 1, 1, 1, 1]
    assert browser().post(links[3][0]).status_code == 200
    assert Membership.objects.filter(list_id=list_id).count() == 2
    assert Subscriber.objects.filter(email_md5=md5("imp1@example.com")).exists()


def test_an_import_without_double_opt_in_records_consent_set_based(api, queues):  # noqa: F811
    list_id = create_double_list(api, "Migrated")  # the list asks for it; the import does not
    task = import_json(api, list_id, {"items": ITEMS}, query="doubleOptIn=false")
    assert (task["result"]["new"], task["result"]["pending"]) == (5, 0)
    assert Membership.objects.filter(list_id=list_id).count() == 5
    records = Consent.objects.filter(list_id=list_id)
    assert {(c.source, c.double_opt_in, c.ip, c.user_agent) for c in records} == {("import", False, "127.0.0.1", UA)}
    assert records.count() == 5


def test_a_bad_double_opt_in_option_is_refused(api):
    list_id = create_list(api, "L")
    response = api.post(
        f"/accounts/{api.owner.name}/lists/{list_id}/subscribers/import?doubleOptIn=maybe", {"items": ITEMS}
    )
    assert response.status_code == 400


def test_the_back_office_adds_with_source_admin(admin_client, api, smtp_server):
    list_id = create_double_list(api, "Desk")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client.post(
            "/admin/subscribers/subscriber/add/",
            {"account": api.owner.account.pk, "email": "desk@example.com", "mailing_list": list_id},
            HTTP_USER_AGENT="Admin/1.0",
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    consent = consent_of("desk@example.com", list_id)
    assert (consent.source, consent.pending, consent.ip, consent.user_agent) == (
        "admin",
        True,
        "127.0.0.1",
        "Admin/1.0",
    )
    assert len(confirmation_links(smtp_server, "desk@example.com")) == 1
    subscriber = Subscriber.objects.get(email="desk@example.com")
    page = admin_client.get(f"/admin/subscribers/subscriber/{subscriber.pk}/change/").content.decode()
    assert "consent records" in page.lower() and "Admin/1.0" in page and "pending" in page
    export = admin_client.post(
        "/admin/subscribers/subscriber/",
        {"action": "export_csv", "_selected_action": [subscriber.pk]},
    )
    assert "Desk; pending; admin;" in export.content.decode()


def test_pending_members_are_not_sent_campaigns(api, smtp_server):
    list_id = create_double_list(api, "Letters")
    subscribe(api, list_id, "yes@example.com")
    subscribe(api, list_id, "notyet@example.com")
    [link] = confirmation_links(smtp_server, "yes@example.com")
    assert browser().post(link).status_code == 200
    campaign_id = create_campaign(api, [list_id])
    start(api, campaign_id)
    send()
    received = smtp_server.per_recipient()
    assert received["yes@example.com"] == 2  # the confirmation and the campaign
    assert received["notyet@example.com"] == 1  # the confirmation only
