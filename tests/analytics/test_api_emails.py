"""GET /api/v1/analytics/emails: sums of the daily counters by day, ISO week or month; parameters; isolation."""

from collections import Counter
from datetime import date, timedelta

from django.utils import timezone

from analytics.services import daily_add
from tests.analytics.builders import EMAILS, bad, campaign_path, contact_path, emails, nonzero, zero_metrics
from tests.campaigns.builders import create_campaign
from tests.helpers import assert_hypermedia, assert_problem

JAN_31, FEB_1, FEB_2 = date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 2)  # Saturday, Sunday, Monday


def seed(account_id: int) -> None:
    """delivered 2 + 1 + 4, with bounces, opens and clicks, on three days around a week and a month boundary."""
    daily_add(account_id, 7, JAN_31, Counter({"sent": 2, "hardBounces": 1, "opens": 3, "uniqueOpens": 2}))
    daily_add(account_id, 7, FEB_1, Counter({"sent": 1, "clicks": 2, "uniqueClicks": 1, "unsubscribes": 1}))
    daily_add(account_id, 8, FEB_2, Counter({"sent": 4, "softBounces": 1, "complaints": 1, "retries": 5}))
    daily_add(account_id, 0, FEB_2, Counter({(FEB_2, "opens"): 1, (FEB_2, "uniqueOpens"): 1}))


def test_totals_and_rates_against_hand_computed_figures(api, owner):
    seed(owner.account.pk)
    body = emails(api, "from=2026-01-01&to=2026-02-28")
    assert (body["from"], body["to"], body["groupBy"]) == ("2026-01-01", "2026-02-28", "day")
    assert body["totals"] == {
        "sent": 9,
        "delivered": 7,
        "softBounces": 1,
        "hardBounces": 1,
        "opens": 4,
        "uniqueOpens": 3,
        "clicks": 2,
        "uniqueClicks": 1,
        "unsubscribes": 1,
        "complaints": 1,
        "deliveryRate": round(7 / 9, 4),
        "openRate": round(3 / 7, 4),
        "clickRate": round(1 / 7, 4),
        "unsubscribeRate": round(1 / 7, 4),
        "bounceRate": round(2 / 9, 4),
        "complaintRate": round(1 / 7, 4),
    }
    assert len(body["periods"]) == 59 and body["periods"][0]["period"] == "2026-01-01"
    by_day = {period["period"]: nonzero(period) for period in body["periods"] if period["sent"] or period["opens"]}
    assert by_day == {
        "2026-01-31": {
            "period": "2026-01-31",
            "start": "2026-01-31",
            "end": "2026-01-31",
            "sent": 3,
            "delivered": 2,
            "hardBounces": 1,
            "opens": 3,
            "uniqueOpens": 2,
            "deliveryRate": 0.6667,
            "openRate": 1.0,
            "bounceRate": 0.3333,
        },
        "2026-02-01": {
            "period": "2026-02-01",
            "start": "2026-02-01",
            "end": "2026-02-01",
            "sent": 1,
            "delivered": 1,
            "clicks": 2,
            "uniqueClicks": 1,
            "unsubscribes": 1,
            "deliveryRate": 1.0,
            "clickRate": 1.0,
            "unsubscribeRate": 1.0,
        },
        "2026-02-02": {
            "period": "2026-02-02",
            "start": "2026-02-02",
            "end": "2026-02-02",
            "sent": 5,
            "delivered": 4,
            "softBounces": 1,
            "complaints": 1,
            "opens": 1,
            "uniqueOpens": 1,
            "deliveryRate": 0.8,
            "bounceRate": 0.2,
            "openRate": 0.25,
            "complaintRate": 0.25,
        },
    }


def test_group_by_week_starts_on_monday_and_clips_to_the_range(api, owner):
    seed(owner.account.pk)
    body = emails(api, "from=2026-01-28&to=2026-02-10&group_by=week")
    assert [(p["period"], p["start"], p["end"], p["sent"], p["delivered"]) for p in body["periods"]] == [
        ("2026-01-26", "2026-01-28", "2026-02-01", 4, 3),  # Saturday and Sunday: the same ISO week
        ("2026-02-02", "2026-02-02", "2026-02-08", 5, 4),
        ("2026-02-09", "2026-02-09", "2026-02-10", 0, 0),
    ]
    assert body["totals"]["sent"] == 9


def test_group_by_month(api, owner):
    seed(owner.account.pk)
    body = emails(api, "from=2025-12-15&to=2026-02-01&group_by=month")
    assert [(p["period"], p["start"], p["end"], p["sent"], p["opens"]) for p in body["periods"]] == [
        ("2025-12-01", "2025-12-15", "2025-12-31", 0, 0),
        ("2026-01-01", "2026-01-01", "2026-01-31", 3, 3),
        ("2026-02-01", "2026-02-01", "2026-02-01", 1, 0),
    ]  # Feb 2 is outside the range
    assert body["totals"]["delivered"] == 3


def test_rates_are_zero_when_nothing_was_sent(api, owner):
    body = emails(api)
    assert body["totals"] == zero_metrics()
    today = timezone.now().date()
    assert (body["from"], body["to"]) == ((today - timedelta(days=29)).isoformat(), today.isoformat())
    assert len(body["periods"]) == 30 and all(nonzero(p).keys() == {"period", "start", "end"} for p in body["periods"])
    assert body["_links"][0]["rel"] == "self /rels/email-analytics"
    daily_add(owner.account.pk, 1, today, Counter({"hardBounces": 2, "opens": 1}))  # nothing delivered
    totals = emails(api)["totals"]
    assert nonzero(totals) == {"sent": 2, "hardBounces": 2, "opens": 1, "bounceRate": 1.0}


def test_another_accounts_counters_are_not_counted(api, owner, other, client_for):
    seed(other.account.pk)
    assert emails(api, "from=2026-01-01&to=2026-02-28")["totals"] == zero_metrics()
    assert emails(client_for(other), "from=2026-01-01&to=2026-02-28")["totals"]["sent"] == 9


def test_bad_parameters_are_400_problems_naming_what_is_allowed(api):
    assert "YYYY-MM-DD" in bad(api, f"{EMAILS}?from=2026-13-01")["detail"]
    assert bad(api, f"{EMAILS}?to=yesterday")["errors"] == [{"field": "to", "detail": "must be a date as YYYY-MM-DD"}]
    bad(api, f"{EMAILS}?from=2026-1-1")
    assert "day, week, month" in bad(api, f"{EMAILS}?group_by=year")["detail"]
    assert "from, to, group_by" in bad(api, f"{EMAILS}?groupBy=week")["detail"]
    assert "after" in bad(api, f"{EMAILS}?from=2026-02-02&to=2026-02-01")["detail"]
    assert "at most" in bad(api, f"{EMAILS}?from=2020-01-01&to=2026-01-01")["detail"]
    emails(api, "from=2023-01-01&to=2025-12-31&group_by=month")  # three years is fine


def test_the_key_may_be_a_query_parameter(owner, anon):
    response = anon.get(f"{EMAILS}?access_token={owner.key}&group_by=month")
    assert response.status_code == 200
    assert anon.get(EMAILS).status_code == 401


def test_a_campaign_not_sent_yet_has_zero_figures_and_an_empty_timeline(api):
    campaign_id = create_campaign(api)
    body = assert_hypermedia(api.get(campaign_path(campaign_id)), 200, "campaign-analytics")
    assert (body["metrics"], body["topLinks"]) == (zero_metrics(), [])
    assert body["timeline"] == {"unit": "hour", "from": None, "to": None, "points": []}
    assert "hour, day" in bad(api, f"{campaign_path(campaign_id)}?timeline=minute")["detail"]
    assert "timeline" in bad(api, f"{campaign_path(campaign_id)}?group_by=day")["detail"]


def test_contact_parameters_and_unknown_contacts(api):
    assert_problem(api.get(contact_path("0" * 32)), 404, "/errors/404.1-not-found")
    assert_problem(api.get("/api/v1/analytics/contacts/not-an-md5"), 404)
    assert "allowed: none" in bad(api, f"{contact_path('0' * 32)}?days=30")["detail"]


def test_a_period_holding_the_opens_of_earlier_messages_may_rate_above_one(api, owner):
    """Counters go to the day of their event: a day with more unique opens than deliveries (the opens of messages
    delivered before it) rates above 1, and the response still matches its profile (emails() validates it)."""
    daily_add(owner.account.pk, 7, JAN_31, Counter({"sent": 1}))
    daily_add(owner.account.pk, 7, FEB_1, Counter({"sent": 1, "uniqueOpens": 3, "uniqueClicks": 2, "opens": 3}))
    body = emails(api, "from=2026-02-01&to=2026-02-01")
    assert (body["totals"]["openRate"], body["totals"]["clickRate"]) == (3.0, 2.0)
    assert body["totals"]["deliveryRate"] == 1.0
