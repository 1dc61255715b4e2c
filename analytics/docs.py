"""The analytics resources' registry entries: profiles, rels, models."""

from analytics.representations import COUNTS, RATES
from analytics.selectors import ENGAGEMENT_DAYS, GROUPS, TIMELINE_BUCKETS
from api.registry import model, profile, ref, rel

COUNT = {"type": "integer", "minimum": 0}
RATE = {"type": "number", "minimum": 0, "maximum": 1}
# Over the messages delivered in the same period, while the events are counted on their own day: a period that
# holds the opens of messages delivered before it rates above 1.
ENGAGEMENT_RATE = {"type": "number", "minimum": 0}
BOUNDED_RATES = ("deliveryRate", "bounceRate")
DAY = {"type": "string", "format": "date"}
TIME = {"type": ["string", "null"], "format": "date-time"}
LINKS = {"type": "array", "items": ref("link")}
METRIC_PROPERTIES = {
    **dict.fromkeys(COUNTS, COUNT),
    **{name: RATE if name in BOUNDED_RATES else ENGAGEMENT_RATE for name in RATES},
}
METRICS_DESCRIPTION = (
    "sent: messages the mail server took or bounced; delivered = sent − softBounces − hardBounces; opens and clicks "
    "count every event, uniqueOpens and uniqueClicks the messages opened or clicked at least once. Rates are ratios "
    "(4 decimals), 0 when their denominator is 0: deliveryRate = delivered/sent, bounceRate = "
    "(softBounces + hardBounces)/sent, openRate = uniqueOpens/delivered, clickRate = uniqueClicks/delivered, "
    "unsubscribeRate = unsubscribes/delivered, complaintRate = complaints/delivered. Each figure is counted on the "
    "day of its event: the last four relate a period's events to the messages delivered in it, and a period that "
    "holds the opens or clicks of messages delivered before it rates above 1 (deliveryRate and bounceRate stay "
    "within 0 and 1)."
)
METRICS = {
    "type": "object",
    "description": METRICS_DESCRIPTION,
    "required": [*COUNTS, *RATES],
    "properties": METRIC_PROPERTIES,
}

profile("email-metrics", "Email metrics", METRICS)
profile(
    "email-analytics",
    "Email analytics",
    {
        "description": "The account's email figures over a range of UTC days, in total and per period "
        "(every period of the range, clipped to it; counted on the day each thing happened, a bounce on "
        "its own day). " + METRICS_DESCRIPTION,
        "type": "object",
        "required": ["from", "to", "groupBy", "totals", "periods", "_links"],
        "properties": {
            "from": DAY,
            "to": DAY,
            "groupBy": {"enum": list(GROUPS)},
            "totals": ref("email-metrics"),
            "periods": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["period", "start", "end", *COUNTS, *RATES],
                    "properties": {
                        "period": {**DAY, "description": "The period's first day (a Monday for weeks)."},
                        "start": DAY,
                        "end": DAY,
                        **METRIC_PROPERTIES,
                    },
                },
            },
            "_links": LINKS,
        },
    },
)
profile(
    "campaign-analytics",
    "Campaign analytics",
    {
        "description": "One campaign's figures (exact, from its counters), its most clicked links and a timeline of "
        "opens and clicks.",
        "type": "object",
        "required": [
            "campaignId",
            "name",
            "status",
            "startedAt",
            "metrics",
            "topLinks",
            "abTest",
            "timeline",
            "_links",
        ],
        "properties": {
            "campaignId": {"type": "integer"},
            "name": {"type": "string"},
            "status": {"type": "string"},
            "startedAt": TIME,
            "metrics": ref("email-metrics"),
            "topLinks": {
                "type": "array",
                "maxItems": 10,
                "description": "The 10 links clicked most: clicks, and "
                "uniqueClicks (recipients who clicked it, once per URL even where the HTML links it at "
                "several places).",
                "items": {
                    "type": "object",
                    "required": ["url", "clicks", "uniqueClicks"],
                    "properties": {"url": {"type": "string"}, "clicks": COUNT, "uniqueClicks": COUNT},
                },
            },
            "abTest": {
                "type": ["object", "null"],
                "description": "An A/B campaign's figures per variant (null for another campaign): each variant's "
                "messages, with the winner marked once it is chosen (by `winnerMetric`'s rate, or by hand).",
                "required": ["winner", "winnerMetric", "variants"],
                "properties": {
                    "winner": {"type": ["string", "null"]},
                    "winnerMetric": {"enum": ["uniqueOpens", "uniqueClicks"]},
                    "variants": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["variant", "winner", *COUNTS, *RATES],
                            "properties": {
                                "variant": {"enum": list("ABCDE")},
                                "winner": {"type": "boolean"},
                                **METRIC_PROPERTIES,
                            },
                        },
                    },
                },
            },
            "timeline": {
                "type": "object",
                "required": ["unit", "from", "to", "points"],
                "description": f"Opens and clicks per hour (the first {TIMELINE_BUCKETS['hour']} hours from the "
                f"start) or per day (the first {TIMELINE_BUCKETS['day']} days); buckets without events are left "
                "out.",
                "properties": {
                    "unit": {"enum": list(TIMELINE_BUCKETS)},
                    "from": TIME,
                    "to": TIME,
                    "points": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["at", "opens", "clicks"],
                            "properties": {
                                "at": {"type": "string", "format": "date-time"},
                                "opens": COUNT,
                                "clicks": COUNT,
                            },
                        },
                    },
                },
            },
            "_links": LINKS,
        },
    },
)
profile(
    "contact-analytics",
    "Contact analytics",
    {
        "description": "A contact's messages and engagement. engagementScore = round(100 × (0.4 × opened + 0.6 × "
        f"clicked) / delivered) over the messages delivered to the contact in the last {ENGAGEMENT_DAYS} days "
        "(opened, clicked: how many of them were opened, clicked at least once); 0 when none.",
        "type": "object",
        "required": [
            "emailMd5",
            "messagesReceived",
            "opens",
            "clicks",
            "lastOpenAt",
            "lastClickAt",
            "engagementScore",
            "engagementWindow",
            "_links",
        ],
        "properties": {
            "emailMd5": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "messagesReceived": {**COUNT, "description": "Messages delivered to the contact (sent, not bounced)."},
            "opens": COUNT,
            "clicks": COUNT,
            "lastOpenAt": TIME,
            "lastClickAt": TIME,
            "engagementScore": {"type": "integer", "minimum": 0, "maximum": 100},
            "engagementWindow": {
                "type": "object",
                "required": ["days", "delivered", "opened", "clicked"],
                "properties": {"days": COUNT, "delivered": COUNT, "opened": COUNT, "clicked": COUNT},
            },
            "_links": LINKS,
        },
    },
)

AUTH = ("401.1-invalid-token",)
rel(
    "email-analytics",
    "Email analytics",
    "GET the account's email figures: `from`, `to` (YYYY-MM-DD, UTC, at most 3 years apart; default the last 30 "
    "days) and `group_by` (day, week or month).",
    response_profile="email-analytics",
    problems=("400.3-invalid-parameter", *AUTH),
)
rel(
    "campaign-analytics",
    "Campaign analytics",
    "GET one campaign's figures, top links and timeline (`timeline`: hour or day).",
    response_profile="campaign-analytics",
    problems=("400.3-invalid-parameter", "404.1-not-found", *AUTH),
)
rel(
    "contact-analytics",
    "Contact analytics",
    "GET a contact's messages received, opens, clicks and engagement score.",
    response_profile="contact-analytics",
    problems=("400.3-invalid-parameter", "404.1-not-found", *AUTH),
)

model(
    "email-analytics",
    "Email analytics",
    "Counts of the account's emails per day, kept exact in the transaction of each send, bounce, open, click, "
    "unsubscribe and complaint, and checked by `manage.py analytics_recount` against the messages and events.",
    profile="email-analytics",
)
