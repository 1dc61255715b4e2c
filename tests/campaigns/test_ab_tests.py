"""A/B campaigns with a real SMTP server on loopback: the test share split evenly at random among the variants,
the rest held until the winner (by unique opens or clicks after the wait, or chosen by hand), and every
recipient receiving exactly one message of exactly one variant. Counters per variant on the campaign and in
analytics."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import AbTest, Message
from tests.campaigns.builders import (
    BASE_URL,
    CampaignPaths,
    act,
    audience,
    campaign_body,
    get_campaign,
    local,
    post,
    put,
    send,
    start,
    v1,
)
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.campaigns.test_smtp_outcomes import move_scheduled_jobs
from tests.helpers import assert_hypermedia, assert_problem
from tests.subscribers.builders import md5

SUBJECTS = {"A": "Spring sale", "B": "Last days of the sale", "C": "{{ firstName | Friend }}, your coupon"}
HTML = '<html><body><p>{label}</p><a href="https://shop.example.com/{slug}">Shop</a></body></html>'


def ab_test(share=30, wait=60, metric="uniqueOpens", variants=None) -> dict:
    return {
        "testShare": share,
        "waitMinutes": wait,
        "winnerMetric": metric,
        "variants": variants
        or [
            {"subject": SUBJECTS["A"]},
            {"subject": SUBJECTS["B"], "html": HTML.format(label="Variant B", slug="b")},
            {"subject": SUBJECTS["C"], "fromName": "The Shop Team", "html": HTML.format(label="Variant C", slug="c")},
        ],
    }


def create_ab(api, list_id, **ab) -> int:
    body = campaign_body(
        [list_id], subject="Spring sale", html=HTML.format(label="Variant A", slug="a"), text="", abTest=ab_test(**ab)
    )
    response = post(api, CampaignPaths(api.owner).campaigns, body)
    assert_hypermedia(response, 201, "message")
    return int(response["Location"].rsplit("/", 1)[1])


def variant_of(delivery) -> str:
    subject = delivery.parsed()["Subject"]
    return "C" if subject.endswith("your coupon") else next(k for k, v in SUBJECTS.items() if v == subject)


def received(server) -> dict[str, list[str]]:
    """Each recipient's variants, in the order received."""
    found: dict[str, list[str]] = {}
    for delivery in server.deliveries:
        found.setdefault(delivery.rcpt_to, []).append(variant_of(delivery))
    return found


def pixel(delivery) -> str:
    html = delivery.parsed().get_body(("html",)).get_content()
    return local(re.search(r'<img src="([^"]+/t/o/[^"]+)"', html).group(1))


def link(delivery) -> str:
    html = delivery.parsed().get_body(("html",)).get_content()
    return local(re.search(r'<a href="([^"]+/t/c/[^"]+)"', html).group(1))


def test_split_evenly_and_the_winner_by_opens_goes_to_exactly_the_rest(api, smtp_server, settings):  # noqa: F811
    settings.PUBLIC_BASE_URL = BASE_URL
    list_id, emails = audience(api, 40, fields=lambda i: {"firstName": f"N{i}"})
    campaign_id = create_ab(api, list_id)
    body = get_campaign(api, campaign_id)
    assert body["abTest"]["status"] == "draft" and [v["variant"] for v in body["abTest"]["variants"]] == list("ABC")

    start(api, campaign_id)
    send()
    # 30 % of 40 = 12, 4 per variant, drawn at random; the other 28 wait.
    first = received(smtp_server)
    assert len(first) == 12 and all(len(v) == 1 for v in first.values())
    assert Counter(v[0] for v in first.values()) == {"A": 4, "B": 4, "C": 4}
    body = get_campaign(api, campaign_id)
    ab = body["abTest"]
    assert (body["status"], ab["status"], ab["testRecipients"], ab["heldRecipients"]) == ("sending", "waiting", 12, 28)
    assert ab["winner"] is None and ab["winnerDueAt"] and ab["testSentAt"]
    assert [(v["variant"], v["stats"]["recipients"], v["stats"]["sent"]) for v in ab["variants"]] == [
        ("A", 4, 4),
        ("B", 4, 4),
        ("C", 4, 4),
    ]
    assert Message.objects.filter(campaign_id=campaign_id, status="held", variant__isnull=True).count() == 28
    held = assert_hypermedia(api.get("/api/v1/emails?status=held"), 200, "emails-page")
    assert held["total"] == 28
    # Each variant's content: its own subject, from name and HTML (links numbered for the whole campaign).
    by_variant = {variant_of(d): d for d in smtp_server.deliveries}
    c = by_variant["C"].parsed()
    assert c["Subject"] == f"{c['To'].split('@')[0].replace('p', 'N')}, your coupon"
    assert c["From"].addresses[0].display_name == "The Shop Team"
    assert by_variant["A"].parsed()["From"].addresses[0].display_name == "Shop"
    assert Client().get(link(by_variant["B"]))["Location"] == "https://shop.example.com/b"
    assert Client().get(link(by_variant["A"]))["Location"] == "https://shop.example.com/a"

    # B's readers open it (twice for one of them), A's once: B leads by unique opens.
    b_deliveries = [d for d in smtp_server.deliveries if variant_of(d) == "B"]
    for delivery in [*b_deliveries[:3], b_deliveries[0]]:
        assert Client().get(pixel(delivery)).status_code == 200
    a_delivery = next(d for d in smtp_server.deliveries if variant_of(d) == "A")
    Client().get(pixel(a_delivery))
    Client().get(link(a_delivery))
    stats = {v["variant"]: v["stats"] for v in get_campaign(api, campaign_id)["abTest"]["variants"]}
    assert (stats["B"]["opens"], stats["B"]["uniqueOpens"], stats["A"]["uniqueOpens"]) == (4, 3, 1)
    # A's were clicked twice (one of them above), B's once: clicks do not decide this test.
    assert (stats["A"]["uniqueClicks"], stats["B"]["uniqueClicks"], stats["C"]["uniqueOpens"]) == (2, 1, 0)

    # The wait is over (the clock moved by moving the due time): the scheduled sender chooses B and sends the rest.
    AbTest.objects.filter(campaign_id=campaign_id).update(winner_due_at=timezone.now())
    assert move_scheduled_jobs()
    send()
    everyone = received(smtp_server)
    assert sorted(everyone) == sorted(emails) and all(len(v) == 1 for v in everyone.values())
    rest = {email: v for email, v in everyone.items() if email not in first}
    assert len(rest) == 28 and {v[0] for v in rest.values()} == {"B"}
    body = get_campaign(api, campaign_id)
    ab = body["abTest"]
    assert (body["status"], ab["status"], ab["winner"], ab["chosenBy"]) == ("sent", "winner-chosen", "B", "uniqueOpens")
    assert body["stats"]["recipients"] == body["stats"]["sent"] == 40
    assert [(v["variant"], v["stats"]["recipients"], v["stats"]["sent"]) for v in ab["variants"]] == [
        ("A", 4, 4),
        ("B", 32, 32),
        ("C", 4, 4),
    ]
    assert not Message.objects.filter(campaign_id=campaign_id, variant__isnull=True).exists()
    # Per variant in analytics too, the winner marked.
    analytics = assert_hypermedia(api.get(f"/api/v1/analytics/campaigns/{campaign_id}"), 200)
    variants = {v["variant"]: v for v in analytics["abTest"]["variants"]}
    assert variants["B"]["winner"] and not variants["A"]["winner"]
    assert (variants["B"]["delivered"], variants["B"]["uniqueOpens"], variants["B"]["openRate"]) == (32, 3, 0.0938)


def test_a_winner_chosen_by_hand_before_the_wait_ends_goes_out_at_once(api, smtp_server):  # noqa: F811
    list_id, emails = audience(api, 20)
    campaign_id = create_ab(api, list_id, share=50, metric="uniqueClicks", wait=24 * 60)
    assert_problem(
        post(api, v1(campaign_id, "winner"), {"variant": "C"}), 409, "/errors/409.7-campaign-action-not-allowed"
    )
    start(api, campaign_id)
    send()
    assert len(smtp_server.deliveries) == 10
    body = get_campaign(api, campaign_id)
    assert body["abTest"]["status"] == "waiting"
    assert any(item["rel"].endswith("/rels/choose-campaign-winner") for item in body["_links"])
    assert_problem(post(api, v1(campaign_id, "winner"), {"variant": "E"}), 400, "/errors/400.2-validation-error")
    assert_problem(post(api, v1(campaign_id, "winner"), {"variant": "Z"}), 400, "/errors/400.2-validation-error")

    assert_hypermedia(post(api, v1(campaign_id, "winner"), {"variant": "C"}), 200, "message")
    send()
    everyone = received(smtp_server)
    assert sorted(everyone) == sorted(emails) and all(len(v) == 1 for v in everyone.values())
    tested = Counter(v[0] for v in everyone.values())
    assert tested == {"A": 4, "B": 3, "C": 13} or tested == {"A": 3, "B": 4, "C": 13}, tested
    body = get_campaign(api, campaign_id)
    assert (body["status"], body["abTest"]["winner"], body["abTest"]["chosenBy"]) == ("sent", "C", "manual")
    assert not any(item["rel"].endswith("/rels/choose-campaign-winner") for item in body["_links"])
    assert_problem(post(api, v1(campaign_id, "winner"), {}), 409, "/errors/409.7-campaign-action-not-allowed")


def test_the_winner_without_a_wait_and_with_no_opens_is_the_first(api, smtp_server):  # noqa: F811
    list_id, _ = audience(api, 10)
    campaign_id = create_ab(api, list_id, share=20, wait=0, variants=[{"subject": "One"}, {"subject": "Two"}])
    start(api, campaign_id)
    send()
    subjects = Counter(d.parsed()["Subject"] for d in smtp_server.deliveries)
    assert subjects == {"One": 9, "Two": 1} and len(smtp_server.per_recipient()) == 10
    ab = get_campaign(api, campaign_id)["abTest"]
    assert (ab["winner"], ab["chosenBy"], ab["testRecipients"], ab["heldRecipients"]) == ("A", "uniqueOpens", 2, 8)


def test_canceling_while_waiting_sends_nothing_more_and_pause_holds_the_winner(api, smtp_server):  # noqa: F811
    list_id, _ = audience(api, 10)
    canceled = create_ab(api, list_id, share=40)
    start(api, canceled)
    send()
    assert len(smtp_server.deliveries) == 4
    assert_hypermedia(act(api, canceled, "cancel"), 200, "message")
    AbTest.objects.filter(campaign_id=canceled).update(winner_due_at=timezone.now())
    move_scheduled_jobs()
    send()
    assert len(smtp_server.deliveries) == 4
    body = get_campaign(api, canceled)
    assert (body["status"], body["stats"]["canceled"], body["abTest"]["winner"]) == ("canceled", 6, None)
    assert_problem(act(api, canceled, "winner"), 409, "/errors/409.7-campaign-action-not-allowed")

    paused = create_ab(api, list_id, share=40, wait=1)
    start(api, paused)
    send()
    assert len(smtp_server.deliveries) == 8
    assert_hypermedia(act(api, paused, "pause"), 200, "message")
    AbTest.objects.filter(campaign_id=paused).update(winner_due_at=timezone.now() - timedelta(seconds=1))
    move_scheduled_jobs()
    send()  # paused: the due sender does nothing
    assert len(smtp_server.deliveries) == 8 and get_campaign(api, paused)["abTest"]["winner"] is None
    start(api, paused)
    send()  # resumed after the wait: the winner is chosen and the rest sent
    body = get_campaign(api, paused)
    assert (body["status"], body["abTest"]["winner"]) == ("sent", "A")
    assert len(smtp_server.deliveries) == 14


def test_an_ab_test_is_checked_member_by_member(api, owner):
    list_id, _ = audience(api, 1)
    home = CampaignPaths(owner).campaigns

    def refused(ab) -> set:
        response = post(api, home, campaign_body([list_id], abTest=ab))
        body = assert_problem(response, 400, "/errors/400.2-validation-error")
        return {error["field"] for error in body["errors"]}

    assert refused(ab_test(variants=[{"subject": "Only one"}])) == {"abTest.variants"}
    assert refused(ab_test(variants=[{"subject": str(i)} for i in range(6)])) == {"abTest.variants"}
    assert refused(ab_test(share=0)) == {"abTest.testShare"}
    assert refused(ab_test(wait=-1)) == {"abTest.waitMinutes"}
    assert refused(ab_test(metric="opens")) == {"abTest.winnerMetric"}
    fields = refused(ab_test(variants=[{"subject": "Fine"}, {"html": "<p>{{ nosuchfield }}</p>"}]))
    assert "abTest.variants[1].html" in fields, fields
    # Replacing the campaign replaces its test; null removes it.
    campaign_id = create_ab(api, list_id)
    path = CampaignPaths(owner).campaign(campaign_id)
    assert_hypermedia(put(api, path, campaign_body([list_id], abTest=ab_test(share=50))), 200, "message")
    assert get_campaign(api, campaign_id)["abTest"]["testShare"] == 50
    assert_hypermedia(put(api, path, campaign_body([list_id])), 200, "message")
    assert get_campaign(api, campaign_id)["abTest"] is None
    assert_problem(act(api, campaign_id, "winner"), 409, "/errors/409.7-campaign-action-not-allowed")


@pytest.mark.parametrize("surface", ["accounts", "v1"])
def test_both_surfaces_show_the_test(api, owner, surface):
    list_id, _ = audience(api, 2)
    campaign_id = create_ab(api, list_id)
    path = CampaignPaths(owner).campaign(campaign_id) if surface == "accounts" else v1(campaign_id)
    body = assert_hypermedia(api.get(path), 200, "campaign")
    assert body["abTest"]["testShare"] == 30 and body["abTest"]["variants"][2]["fromName"] == "The Shop Team"


@pytest.mark.parametrize("started", [False, True], ids=["draft", "started"])
def test_each_variant_previews_and_tests_as_it_is_sent(api, owner, smtp_server, settings, started):  # noqa: F811
    settings.PUBLIC_BASE_URL = BASE_URL
    list_id, _ = audience(api, 10, fields=lambda i: {"firstName": f"N{i}"})
    campaign_id = create_ab(api, list_id, wait=600)
    if started:
        start(api, campaign_id)
        send()
    preview = CampaignPaths(owner).action(campaign_id, "preview")
    a = assert_hypermedia(api.get(preview), 200, "campaign-preview")
    c = assert_hypermedia(api.get(f"{preview}?variant=c&subscriber={md5('p3@example.com')}"), 200, "campaign-preview")
    assert (a["variant"], a["subject"], a["fromName"]) == ("A", "Spring sale", "Shop")
    assert (c["variant"], c["subject"], c["fromName"]) == ("C", "N3, your coupon", "The Shop Team")
    assert "Variant C" in c["html"] and "Variant A" in a["html"]
    # A preview's link leads where the variant's does (links numbered for the whole campaign), counting nothing.
    href = re.search(r'<a href="([^"]+/t/c/[^"]+)"', c["html"]).group(1)
    assert Client().get(local(href))["Location"] == "https://shop.example.com/c"
    assert_problem(api.get(f"{preview}?variant=E"), 400, "/errors/400.3-invalid-parameter")

    before = len(smtp_server.deliveries)
    body = {"emails": ["qa@example.com"], "variant": "B"}
    result = assert_hypermedia(post(api, CampaignPaths(owner).action(campaign_id, "test"), body), 200)
    assert result["subject"] == "[Test] Last days of the sale"
    test = smtp_server.deliveries[before].parsed()
    assert (test["Subject"], test["To"]) == ("[Test] Last days of the sale", "qa@example.com")
    bad = post(api, CampaignPaths(owner).action(campaign_id, "test"), {**body, "variant": "Q"})
    assert_problem(bad, 400, "/errors/400.2-validation-error")
