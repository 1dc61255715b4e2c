"""A campaign's preview and test send on both surfaces: rendered for a chosen subscriber, links that redirect and
count nothing, the test message received by a real SMTP server on loopback (subject prefixed, the subscriber's
merge values, no Message row, no stats, no analytics), validation, the per-account limit, and an SMTP server that
is down or never answers."""

import socket
import time

import pytest
from django.test import Client

from analytics.models import DailyStat, HourlyStat, LinkStat
from api.problems import ApiProblem
from api.redis_client import redis_client
from campaigns import testsend
from campaigns.models import Campaign, CampaignStat, Event, Message, MessageCount
from campaigns.preview import campaign_preview
from campaigns.testsend import campaign_test_send, send_window
from campaigns.tokens import make_preview_token, read_preview_token, read_token
from tests.campaigns.builders import (
    BASE_URL,
    CampaignPaths,
    audience,
    create_campaign,
    local,
    post,
    sent_campaign,
    stats_of,
    v1,
)
from tests.campaigns.smtp import free_port, smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.subscribers.builders import md5

HTML = (
    '<html><body><p>Hi {{ firstName | friend }}</p><a href="https://shop.example.com/?who={{ emailAddress }}">Shop</a>'
    '<a href="{{ unsubscribeUrl }}">Unsubscribe</a></body></html>'
)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public_base_url_and_a_fresh_window(settings, owner):
    settings.PUBLIC_BASE_URL = BASE_URL
    client = redis_client()
    if client is not None:
        client.delete(send_window(owner.account.pk))
    yield
    if client is not None:
        client.delete(send_window(owner.account.pk))


def draft(api, count=2) -> int:
    """A draft to ``count`` subscribers p0@…, p1@… whose first names are Ann0, Ann1…"""
    list_id, _ = audience(api, count, fields=lambda i: {"firstName": f"Ann{i}"})
    return create_campaign(api, [list_id], preheader="Sale for {{ firstName | you }}", html=HTML)


def preview_path(api, campaign_id, surface, subscriber=None) -> str:
    path = (
        CampaignPaths(api.owner).action(campaign_id, "preview") if surface == "accounts" else v1(campaign_id, "preview")
    )
    return path + (f"?subscriber={subscriber}" if subscriber else "")


def send_path(api, campaign_id, surface) -> str:
    return CampaignPaths(api.owner).action(campaign_id, "test") if surface == "accounts" else v1(campaign_id, "test")


def counted() -> tuple:
    """Everything a send, an open or a click would count."""
    return (
        Message.objects.count(),
        Event.objects.count(),
        sorted(CampaignStat.objects.filter(count__gt=0).values_list("campaign_id", "metric", "count")),
        DailyStat.objects.count(),
        HourlyStat.objects.count(),
        LinkStat.objects.count(),
        sorted(MessageCount.objects.values_list("account_id", "count")),
    )


# --- Preview -----------------------------------------------------------------------------------


@pytest.mark.parametrize("surface", ["accounts", "v1"])
def test_the_preview_is_the_chosen_subscribers_copy(api, surface):
    campaign_id = draft(api)
    body = assert_hypermedia(
        api.get(preview_path(api, campaign_id, surface, md5("p1@example.com"))), 200, "campaign-preview"
    )
    assert body["subscriber"] == md5("p1@example.com") and body["to"] == "p1@example.com"
    assert body["subject"] == "Hello Ann1" and body["preheader"] == "Sale for Ann1"
    assert "<p>Hi Ann1</p>" in body["html"] and body["text"] == "Hi Ann1"
    token = body["html"].split(f"{BASE_URL}/t/c/", 1)[1].split("/", 1)[0]
    assert read_preview_token(token) is not None and read_token(token) is None  # no message's token
    assert f'src="{BASE_URL}/t/o/{token}"' in body["html"] and f'href="{BASE_URL}/u/{token}"' in body["html"]
    assert links_by_rel(body, "/rels/send-campaign-test")
    if surface == "accounts":
        assert links_by_rel(body, "/rels/subscriber")[0]["href"].endswith(md5("p1@example.com"))


def test_without_a_subscriber_the_first_active_recipient_is_the_sample(api):
    body = assert_hypermedia(api.get(preview_path(api, draft(api), "accounts")), 200, "campaign-preview")
    assert body["subscriber"] == md5("p0@example.com") and body["subject"] == "Hello Ann0"


def test_a_campaign_without_recipients_previews_with_the_fallbacks(api):
    campaign_id = create_campaign(api, [], html=HTML)
    body = assert_hypermedia(api.get(preview_path(api, campaign_id, "v1")), 200, "campaign-preview")
    assert body["subscriber"] is None and body["subject"] == "Hello friend" and "<p>Hi friend</p>" in body["html"]


@pytest.mark.parametrize("surface", ["accounts", "v1"])
def test_an_unknown_or_malformed_subscriber_is_a_problem_naming_it(api, surface):
    campaign_id = draft(api)
    unknown = md5("nobody@example.com")
    problem = assert_problem(api.get(preview_path(api, campaign_id, surface, unknown)), 400, error_code=3)
    assert unknown in problem["detail"] and problem["errors"][0]["field"] == "subscriber"
    assert_problem(api.get(preview_path(api, campaign_id, surface, "not-an-md5")), 400, error_code=3)
    assert_problem(api.get(preview_path(api, campaign_id, surface) + "?sample=1"), 400, error_code=3)
    assert_problem(api.get(preview_path(api, 999999, surface)), 404)


def test_another_accounts_subscriber_cannot_be_previewed(api, client_for, other):
    campaign_id = draft(api)
    audience(client_for(other), 1, prefix="theirs")
    assert_problem(api.get(preview_path(api, campaign_id, "v1", md5("theirs0@example.com"))), 400, error_code=3)


def test_the_campaign_links_to_its_preview_and_test_in_every_status(api):
    campaign_id, _, _ = sent_campaign(api, 1)
    for path in (CampaignPaths(api.owner).campaign(campaign_id), v1(campaign_id)):
        body = assert_hypermedia(api.get(path), 200, "campaign")
        preview = links_by_rel(body, "/rels/campaign-preview")[0]
        assert preview["templated"] and preview["href"].endswith(
            f"/campaigns/{campaign_id}/preview{{?subscriber,variant}}"
        )
        assert links_by_rel(body, "/rels/send-campaign-test")[0]["href"].endswith(f"/campaigns/{campaign_id}/test")


def test_a_click_on_a_preview_link_redirects_and_counts_nothing(api):
    campaign_id, _, emails = sent_campaign(api, 2, html=HTML)  # a sent campaign: real clicks would count
    subscriber = Campaign.objects.get(pk=campaign_id).account.subscribers.get(email=emails[1])
    token = make_preview_token(campaign_id, subscriber.pk)
    before, stats = counted(), stats_of(api, campaign_id)
    click = Client().get(f"/t/c/{token}/0")
    assert click.status_code == 302 and click["Location"] == "https://shop.example.com/?who=p1%40example.com"
    assert Client().get(f"/t/o/{token}").status_code == 200
    page = Client().post(f"/u/{token}")
    assert page.status_code == 200 and "nothing was changed" in page.content.decode()
    assert counted() == before and stats_of(api, campaign_id) == stats
    assert subscriber.__class__.objects.get(pk=subscriber.pk).status == "active"
    assert Client().get(f"/t/c/{token}/7").status_code == 404  # only the campaign's own links
    assert Client().get(f"/t/c/{token[:-2]}xx/0").status_code == 404  # a forged token


def test_the_preview_of_a_started_campaign_uses_its_frozen_content(api):
    campaign_id, _, _ = sent_campaign(api, 1, html=HTML)
    campaign = Campaign.objects.get(pk=campaign_id)
    Campaign.objects.filter(pk=campaign_id).update(html="<p>changed behind its back</p>")
    campaign.refresh_from_db()
    html = campaign_preview(campaign).html
    assert "<p>Hi friend</p>" in html and "changed" not in html


# --- Test send ---------------------------------------------------------------------------------


@pytest.mark.parametrize("surface", ["accounts", "v1"])
def test_a_test_send_arrives_prefixed_with_the_subscribers_values_and_counts_nothing(
    api,
    surface,
    smtp_server,  # noqa: F811
):
    campaign_id = draft(api)
    before = counted()
    response = post(
        api,
        send_path(api, campaign_id, surface),
        {"emails": ["qa@example.com", "Boss@Example.com", "qa@example.com"], "subscriber": md5("p1@example.com")},
    )
    body = assert_hypermedia(response, 200, "campaign-test-result")
    assert [(r["emailAddress"], r["outcome"], r["smtpCode"]) for r in body["results"]] == [
        ("qa@example.com", "sent", 250),
        ("boss@example.com", "sent", 250),
    ]
    assert body["subject"] == "[Test] Hello Ann1" and body["subscriber"] == md5("p1@example.com")
    assert sorted(smtp_server.per_recipient()) == ["boss@example.com", "qa@example.com"]
    message = smtp_server.to("qa@example.com")[0].parsed()
    assert message["Subject"] == "[Test] Hello Ann1" and message["To"] == "qa@example.com"
    html = message.get_body(("html",)).get_content()
    assert "<p>Hi Ann1</p>" in html and "Sale for Ann1" in html
    token = html.split(f"{BASE_URL}/t/c/", 1)[1].split("/", 1)[0]
    assert read_preview_token(token)[0] == campaign_id
    assert message["List-Unsubscribe"] == f"<{BASE_URL}/u/{token}>"
    assert read_token(message["Message-ID"].strip("<>").split("@")[0]) is None  # a bounce of it matches nothing
    assert counted() == before and not Message.objects.filter(campaign_id=campaign_id).exists()
    assert Campaign.objects.get(pk=campaign_id).status == "draft"
    # Its links count nothing either.
    assert Client().get(local(html.split('href="', 1)[1].split('"', 1)[0])).status_code == 302
    assert counted() == before


def test_each_address_gets_its_own_outcome(api, smtp_server):  # noqa: F811
    smtp_server.reply["gone@example.com"] = "550 5.1.1 No such user"
    smtp_server.reply["later@example.com"] = "451 4.3.0 Try later"
    body = assert_hypermedia(
        post(
            api,
            send_path(api, draft(api), "v1"),
            {"emails": ["ok@example.com", "gone@example.com", "later@example.com"]},
        ),
        200,
        "campaign-test-result",
    )
    assert [(r["outcome"], r["smtpCode"]) for r in body["results"]] == [
        ("sent", 250),
        ("refused", 550),
        ("deferred", 451),
    ]
    assert "No such user" in body["results"][1]["smtpResponse"] and body["message"] == "Test sent to 1 of 3 addresses"


@pytest.mark.parametrize(
    "emails,fields",
    [
        ([], ["emails"]),
        ([f"a{i}@example.com" for i in range(11)], ["emails"]),
        (["ok@example.com", "not an address", 42, ""], ["emails[1]", "emails[2]", "emails[3]"]),
        ("qa@example.com", ["emails"]),
    ],
)
def test_the_addresses_are_checked_one_error_each(api, emails, fields, smtp_server):  # noqa: F811
    problem = assert_problem(post(api, send_path(api, draft(api), "accounts"), {"emails": emails}), 400, error_code=2)
    assert [error["field"] for error in problem["errors"]] == fields
    assert not smtp_server.deliveries


def test_a_missing_list_or_an_unknown_subscriber_is_refused(api, smtp_server):  # noqa: F811
    campaign_id = draft(api)
    assert_problem(post(api, send_path(api, campaign_id, "v1"), {}), 400, error_code=24)
    problem = assert_problem(
        post(
            api, send_path(api, campaign_id, "v1"), {"emails": ["qa@example.com"], "subscriber": md5("x@example.com")}
        ),
        400,
        error_code=2,
    )
    assert problem["errors"] == [
        {"field": "subscriber", "detail": f"the account has no subscriber {md5('x@example.com')}"}
    ]
    assert not smtp_server.deliveries


def test_a_draft_without_a_from_address_cannot_be_tested(api, smtp_server):  # noqa: F811
    campaign_id = create_campaign(api, [], fromEmail="")
    problem = assert_problem(
        post(api, send_path(api, campaign_id, "v1"), {"emails": ["qa@example.com"]}), 400, error_code=42
    )
    assert problem["errors"][0]["field"] == "fromEmail"


def test_the_account_is_limited_and_told_when_to_retry(api, settings, smtp_server):  # noqa: F811
    settings.TEST_SENDS_PER_HOUR = 2
    campaign_id = draft(api)
    for _ in range(2):
        assert post(api, send_path(api, campaign_id, "v1"), {"emails": ["qa@example.com"]}).status_code == 200
    response = post(api, send_path(api, campaign_id, "accounts"), {"emails": ["qa@example.com"]})
    problem = assert_problem(response, 429, "/errors/429.2-test-send-limit")
    assert 3500 <= int(response["Retry-After"]) <= 3600, problem
    assert len(smtp_server.deliveries) == 2
    # An invalid request is not counted (it is refused before the limit is looked at).
    assert_problem(post(api, send_path(api, campaign_id, "v1"), {"emails": []}), 400)


def test_an_smtp_server_that_is_down_is_a_503_and_not_counted(api, settings):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    settings.TEST_SENDS_PER_HOUR = 1
    campaign_id = draft(api)
    for _ in range(2):  # refunded: the second is not refused by the limit
        problem = assert_problem(
            post(api, send_path(api, campaign_id, "accounts"), {"emails": ["qa@example.com"]}),
            503,
            "/errors/503.2-smtp-unavailable",
        )
        assert f"127.0.0.1:{settings.EMAIL_PORT}" in problem["detail"] and "Connection" in problem["detail"]


def test_an_smtp_server_that_never_answers_is_a_503_within_the_timeout(api, settings, monkeypatch):
    with socket.socket() as silent:  # it takes the connection (the kernel's backlog) and never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
        monkeypatch.setattr(testsend, "TIMEOUT_SECONDS", 1)
        campaign = Campaign.objects.get(pk=draft(api))
        started = time.monotonic()
        with pytest.raises(ApiProblem) as raised:
            campaign_test_send(campaign=campaign, emails=["qa@example.com"])
        assert raised.value.status_code == 503 and time.monotonic() - started < 5


def test_another_accounts_campaign_is_not_found(api, client_for, other, smtp_server):  # noqa: F811
    theirs = create_campaign(client_for(other), [])
    assert_problem(post(api, send_path(api, theirs, "v1"), {"emails": ["qa@example.com"]}), 404)
    assert_problem(api.get(preview_path(api, theirs, "v1")), 404)


# --- The back office ---------------------------------------------------------------------------


def test_the_back_office_says_why_a_test_was_not_sent(api, admin_client, settings):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    campaign_id = draft(api)
    url = f"/admin/campaigns/campaign/{campaign_id}/test/"
    response = admin_client.post(url, {"emails": "qa@example.com", "subscriber": "p1@example.com"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("/change/?preview=p1%40example.com")
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith("Test not sent: The SMTP server 127.0.0.1:"), shown
    response = admin_client.post(url, {"emails": " , "}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Test not sent: 1 to 10 addresses, got 0"]
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign_id}/change/?preview=nobody@example.com")
    assert "the account has no subscriber nobody@example.com" in page.content.decode()
    assert not Message.objects.exists()
