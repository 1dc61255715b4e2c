"""DELETE /api/v1/contacts/{emailMd5}: the personal data goes, counters stay exact, campaign counts stay, and
the address's MD5 is suppressed against imports and subscribes."""

import pytest
from django.db import transaction

from campaigns.models import Event, Message
from lists.models import MailingList
from subscribers.bulk import subscribers_import_chunk
from subscribers.counters import counters_recount, subscriber_count
from subscribers.emails import normalize_email
from subscribers.models import Membership, StatusCount, Subscriber, Suppression
from subscribers.services import subscriber_import_one
from tests.campaigns.builders import messages_of, sent_campaign, stats_of
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_problem
from tests.subscribers.builders import create_list, list_quantities, md5, subscribe, subscribed
from tests.v1.builders import contact, create_contact

SUPPRESSED = "/errors/409.2-subscriber-suppressed"


def counters(owner) -> tuple[dict, dict]:
    status = dict(StatusCount.objects.filter(account=owner.account).exclude(count=0).values_list("bucket", "count"))
    lists = dict(MailingList.objects.filter(account=owner.account).values_list("pk", "subscribers_count"))
    return status, lists


def assert_counters_exact(owner):
    before = counters(owner)
    counters_recount(owner.account.pk)
    assert counters(owner) == before


def test_erase_removes_the_personal_data_and_keeps_counters_exact(api, owner):
    news, promo = create_list(api, "News"), create_list(api, "Promo")
    create_contact(api, "ann@example.com", fields={"firstName": "Ann"}, lists=[news, promo])
    create_contact(api, "bob@example.com", lists=[news])
    assert list_quantities(api) == {news: 2, promo: 1}

    response = api.delete(contact(md5("ann@example.com")))
    assert response.status_code == 204
    assert_problem(api.get(contact(md5("ann@example.com"))), 404, "/errors/404.1-not-found")
    assert not Subscriber.objects.filter(email="ann@example.com").exists()
    assert not Membership.objects.filter(subscriber__email="ann@example.com").exists()
    assert list_quantities(api) == {news: 1, promo: 0}
    assert subscriber_count(owner.account.pk, None) == 1
    assert Suppression.objects.filter(account=owner.account, email_md5=md5("ann@example.com")).exists()
    assert_counters_exact(owner)
    assert_problem(api.delete(contact(md5("ann@example.com"))), 404)


def test_erasing_an_unsubscribed_contact_keeps_counters_exact(api, owner):
    news = create_list(api, "News")
    create_contact(api, "ann@example.com", lists=[news])
    api.post(f"/accounts/{owner.name}/subscribers/{md5('ann@example.com')}/unsubscribe", {})
    assert api.delete(contact(md5("ann@example.com"))).status_code == 204
    assert list_quantities(api) == {news: 0}
    assert_counters_exact(owner)


def test_suppression_blocks_subscribe_and_create_unless_resubscribe(api, owner):
    news = create_list(api, "News")
    create_contact(api, "ann@example.com", lists=[news])
    api.delete(contact(md5("ann@example.com")))
    assert_problem(subscribe(api, news, "ANN@example.com"), 409, SUPPRESSED)
    assert_problem(api.post("/api/v1/contacts", {"emailAddress": "ann@example.com"}), 409, SUPPRESSED)
    assert not Subscriber.objects.filter(email="ann@example.com").exists()
    subscribed(api, news, "ann@example.com", resubscribe=True)
    assert not Suppression.objects.exists()
    assert list_quantities(api) == {news: 1}
    assert_counters_exact(owner)


def test_a_rename_onto_an_erased_address_is_refused(api, owner):
    create_contact(api, "ann@example.com")
    api.delete(contact(md5("ann@example.com")))
    bob = create_contact(api, "bob@example.com")
    body = {"emailAddress": "Ann@Example.com", "belongsToLists": [], "fields": [], "status": bob["status"]}
    problem = assert_problem(api.put(contact(md5("bob@example.com")), body), 409, SUPPRESSED)
    assert "ann@example.com" in problem["detail"].lower()
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["bob@example.com"]
    assert Suppression.objects.filter(email_md5=md5("ann@example.com")).exists()


def test_suppression_blocks_imports(api, owner):
    news = create_list(api, "News")
    create_contact(api, "ann@example.com")
    api.delete(contact(md5("ann@example.com")))
    mailing_list = MailingList.objects.get(pk=news)
    with transaction.atomic():
        outcomes = subscribers_import_chunk(
            account_id=owner.account.pk,
            list_id=news,
            rows=[(normalize_email("ann@example.com"), {"firstName": "Ann"}), (normalize_email("bob@example.com"), {})],
        )
    assert dict(outcomes) == {"new": 1, "skippedUnsubscribed": 1}
    with transaction.atomic():
        assert (
            subscriber_import_one(
                account=owner.account, mailing_list=mailing_list, email=normalize_email("Ann@Example.com"), to_set={}
            )
            == "skippedUnsubscribed"
        )
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["bob@example.com"]
    assert list_quantities(api) == {news: 1}
    assert_counters_exact(owner)


def test_erasure_keeps_the_campaigns_counts(api, owner, smtp_server):  # noqa: F811
    campaign_id, _list_id, emails = sent_campaign(api, 3)
    before_stats = stats_of(api, campaign_id)
    before_messages = {message.status for message in Message.objects.filter(campaign_id=campaign_id)}
    count = Message.objects.filter(campaign_id=campaign_id).count()
    events = Event.objects.count()
    erased = emails[0]
    assert api.delete(contact(md5(erased))).status_code == 204
    assert stats_of(api, campaign_id) == before_stats
    assert Message.objects.filter(campaign_id=campaign_id).count() == count
    assert {message.status for message in Message.objects.filter(campaign_id=campaign_id)} == before_messages
    assert Event.objects.count() == events
    assert not Message.objects.filter(to_email=erased).exists()
    erased_message = Message.objects.get(campaign_id=campaign_id, subscriber=None, to_email="")
    assert erased_message.smtp_response == ""  # a server's reply may quote the address
    assert set(messages_of(campaign_id)) >= set(emails[1:])
    assert_counters_exact(owner)


@pytest.mark.parametrize("status", ["hard-bounce", "soft-bounce"])
def test_erasing_a_bounced_contact(api, owner, status):
    from tests.subscribers.builders import set_status

    news = create_list(api, "News")
    create_contact(api, "ann@example.com", lists=[news])
    set_status(owner.account, md5("ann@example.com"), status)
    assert api.delete(contact(md5("ann@example.com"))).status_code == 204
    assert_counters_exact(owner)
    assert subscriber_count(owner.account.pk, None) == 0


def test_admin_lists_suppressions_and_finds_them_by_address(api, admin_client):
    create_contact(api, "ann@example.com")
    api.delete(contact(md5("ann@example.com")))
    response = admin_client.get("/admin/subscribers/suppression/", {"q": "Ann@Example.com"})
    assert response.status_code == 200
    assert md5("ann@example.com") in response.content.decode()
