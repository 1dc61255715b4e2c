"""The set-based chunk writers, PostgreSQL's (subscribers.bulk) and the embedded default's (subscribers.bulk_portable),
give every row the outcome the row-by-row services would: run here on PostgreSQL and again on SQLite by
tests/test_embedded_sqlite.py. The import runs in this process (``import_run``), with no queue."""

import pytest

from accounts.models import Account
from imports.runner import import_run
from imports.services import import_submit
from lists.models import MailingList
from subscribers.models import Consent, Membership, Subscriber
from tests.imports.test_import_formats import EXPECTED, HEADER, RECORDS
from tests.subscribers.builders import create_field, create_list, md5, set_status, subscribed, unsubscribe
from tests.tasks.builders import assert_list_counters_exact, csv_bytes, task_row
from tests.webhooks.builders import create_webhook, hooks  # noqa: F401 (a fixture)
from webhooks.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(api, owner):
    target, other_list = create_list(api, "Target"), create_list(api, "Other")
    create_field(api, "age", "number")
    subscribed(api, other_list, "old@example.com", {"firstName": "Old", "lastName": "Keep", "age": 40})
    subscribed(api, target, "member@example.com", {"firstName": "Mem"})
    subscribed(api, other_list, "gone@example.com", {"firstName": "Gone"})
    unsubscribe(api, md5("gone@example.com"))
    subscribed(api, other_list, "bounced@example.com")
    set_status(owner.account, md5("bounced@example.com"), "hard-bounce")
    return MailingList.objects.get(pk=target)


def _import(account: Account, mailing_list: MailingList, records) -> dict:
    task = import_submit(
        account=account, mailing_list=mailing_list, fmt="csv", data=csv_bytes([HEADER, *records]), enqueue=False
    )
    import_run(task_id=task.pk)
    task = task_row(task.pk)
    assert task.status == "done", task.reason
    return task.result


def test_a_chunk_gives_each_row_its_outcome_and_writes_what_the_services_would(api, owner, world):
    assert _import(owner.account, world, RECORDS) == EXPECTED
    fields = dict(Subscriber.objects.filter(account=owner.account).values_list("email", "fields"))
    assert fields["new1@example.com"] == {"firstName": "Ann", "age": 31}
    assert fields["old@example.com"] == {"firstName": "New", "lastName": "Keep", "age": 40}  # merged
    assert fields["gone@example.com"] == {"firstName": "Gone"}  # unsubscribed: untouched
    assert fields["new2@example.com"] == {"firstName": "Zoë"}
    joined = {"new1@example.com", "old@example.com", "new2@example.com"}
    assert set(Membership.objects.filter(list=world).values_list("subscriber__email", flat=True)) == {
        *joined,
        "member@example.com",
    }
    consents = Consent.objects.filter(list=world, subscriber__email__in=joined)
    assert sorted(consents.values_list("source", flat=True)) == ["import"] * 3
    assert_list_counters_exact(api, owner.account)


def test_the_same_chunk_again_writes_nothing(api, owner, world):
    _import(owner.account, world, RECORDS)
    before = {s.email: (s.status, s.fields, s.updated_at) for s in Subscriber.objects.filter(account=owner.account)}
    result = _import(owner.account, world, RECORDS)
    assert result == {**EXPECTED, "new": 0, "updated": 0, "alreadyInList": 4}
    assert {s.email: (s.status, s.fields, s.updated_at) for s in Subscriber.objects.filter(account=owner.account)} == (
        before
    )
    assert_list_counters_exact(api, owner.account)


def test_webhooks_hear_whom_a_chunk_created_and_whose_fields_it_changed(api, owner, world, hooks, monkeypatch):  # noqa: F811
    """``subscriber.created`` for the new, ``subscriber.updated`` for those whose fields changed (as a subscribe
    through the API tells it), nothing for the unchanged, the suppressed or a second import of the same file.
    The outbox is read undrained: on SQLite a drain would run on a thread of this process, beside the test."""
    monkeypatch.setattr("webhooks.outbox.drain_ask", lambda: None)
    create_webhook(api, "https://hooks.example.com/crm", ["subscriber.created", "subscriber.updated"])
    _import(owner.account, world, RECORDS)
    told = sorted((event.type, event.data["emailAddress"], event.data["fields"]) for event in Event.objects.all())
    assert told == [
        ("subscriber.created", "new1@example.com", {"firstName": "Ann", "age": 31}),
        ("subscriber.created", "new2@example.com", {"firstName": "Zoë"}),
        ("subscriber.updated", "member@example.com", {"firstName": "Mem", "lastName": "Ber"}),
        ("subscriber.updated", "old@example.com", {"firstName": "New", "lastName": "Keep", "age": 40}),
    ]
    _import(owner.account, world, RECORDS)
    assert Event.objects.count() == 4
