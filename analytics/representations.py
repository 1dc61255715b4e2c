"""The analytics resources as JSON: figures with their rates, instants in ISO 8601 (``api.formats``), links."""

from collections import Counter
from datetime import date

from analytics.selectors import ENGAGEMENT_DAYS, CampaignFigures, ContactFigures, Period
from api.formats import iso
from api.links import link
from campaigns.representations import V1_ROUTES

COUNTS = (
    "sent",
    "delivered",
    "softBounces",
    "hardBounces",
    "opens",
    "uniqueOpens",
    "clicks",
    "uniqueClicks",
    "unsubscribes",
    "complaints",
)
RATES = ("deliveryRate", "openRate", "clickRate", "unsubscribeRate", "bounceRate", "complaintRate")
# The figures as the back office shows them beside a chart: (label, count, rate) of ``metrics``.
FIGURE_ROWS = (
    ("sent", "sent", ""),
    ("delivered", "delivered", "deliveryRate"),
    ("bounced", "hardBounces", "bounceRate"),
    ("opened (unique)", "uniqueOpens", "openRate"),
    ("clicked (unique)", "uniqueClicks", "clickRate"),
    ("unsubscribed", "unsubscribes", "unsubscribeRate"),
    ("complaints", "complaints", "complaintRate"),
)


def figure_rows(figures: dict) -> list[tuple[str, int, str]]:
    """``metrics`` as the back office's tables show them: (label, count, rate as a percentage or "")."""
    return [
        (label, figures[count], f"{100 * figures[rate]:.1f} %" if rate else "") for label, count, rate in FIGURE_ROWS
    ]


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def metrics(stored) -> dict:
    """The public figures from stored counters, where ``sent`` counts only messages still delivered.

    ``sent`` = messages the mail server took or bounced (delivered + soft + hard bounces);
    ``delivered`` = sent − bounces. Rates are ratios, 0 when their denominator is 0: delivery and bounce over sent
    (within 0 and 1); open (unique), click (unique), unsubscribe and complaint over delivered (above 1 in a period
    that holds the events of messages delivered before it: events count on their own day).
    """
    bounces = stored.get("softBounces", 0) + stored.get("hardBounces", 0)
    delivered = stored.get("sent", 0)
    out = {name: stored.get(name, 0) for name in COUNTS}
    out.update(sent=delivered + bounces, delivered=delivered)
    out.update(
        deliveryRate=_rate(delivered, delivered + bounces),
        openRate=_rate(out["uniqueOpens"], delivered),
        clickRate=_rate(out["uniqueClicks"], delivered),
        unsubscribeRate=_rate(out["unsubscribes"], delivered),
        bounceRate=_rate(bounces, delivered + bounces),
        complaintRate=_rate(out["complaints"], delivered),
    )
    return out


def email_analytics(
    totals: Counter, periods: list[Period], *, start: date, end: date, group_by: str, path: str
) -> dict:
    return {
        "from": iso(start),
        "to": iso(end),
        "groupBy": group_by,
        "totals": metrics(totals),
        "periods": [
            {"period": iso(period.start), "start": iso(period.first), "end": iso(period.last), **metrics(period.counts)}
            for period in periods
        ],
        "_links": [
            link(f"{path}?from={start}&to={end}&group_by={group_by}", "self /rels/email-analytics", "These figures")
        ],
    }


def _ab_test(figures: CampaignFigures) -> dict | None:
    """An A/B campaign's figures per variant, the winner marked (null for another campaign)."""
    state = figures.ab_test
    if state is None:
        return None
    winner = state.test.winner
    return {
        "winner": state.test.winner_name,
        "winnerMetric": state.test.winner_metric,
        "variants": [
            {"variant": v.name, "winner": v.position == winner, **metrics(state.stats.get(v.position, {}))}
            for v in state.variants
        ],
    }


def campaign_analytics(figures: CampaignFigures, *, path: str) -> dict:
    campaign, timeline = figures.campaign, figures.timeline
    return {
        "campaignId": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "startedAt": iso(campaign.started_at),
        "metrics": metrics(figures.stats),
        "topLinks": [
            {"url": url, "clicks": clicks, "uniqueClicks": unique} for url, clicks, unique in figures.top_links
        ],
        "abTest": _ab_test(figures),
        "timeline": {
            "unit": timeline.unit,
            "from": iso(timeline.origin),
            "to": iso(timeline.until),
            "points": [{"at": iso(at), "opens": opens, "clicks": clicks} for at, opens, clicks in timeline.points],
        },
        "_links": [
            link(path, "self /rels/campaign-analytics", "These figures"),
            link(V1_ROUTES.detail(campaign.pk), "/rels/campaign", "The campaign"),
        ],
    }


def engagement_score(figures: ContactFigures) -> int:
    """round(100 × (0.4 × opened + 0.6 × clicked) / delivered) over the messages delivered in the engagement
    window (opened, clicked: of those, how many were opened, clicked at least once); 0 when none. 0 to 100."""
    if not figures.recent:
        return 0
    return round(100 * (0.4 * figures.opened + 0.6 * figures.clicked) / figures.recent)


def contact_analytics(figures: ContactFigures, *, path: str) -> dict:
    return {
        "emailMd5": figures.email_md5,
        "messagesReceived": figures.received,
        "opens": figures.opens,
        "clicks": figures.clicks,
        "lastOpenAt": iso(figures.last_open_at),
        "lastClickAt": iso(figures.last_click_at),
        "engagementScore": engagement_score(figures),
        "engagementWindow": {
            "days": ENGAGEMENT_DAYS,
            "delivered": figures.recent,
            "opened": figures.opened,
            "clicked": figures.clicked,
        },
        "_links": [link(path, "self /rels/contact-analytics", "These figures")],
    }
