"""Campaign representations. The Blueprint surface and /api/v1 show the same campaign; only hrefs differ."""

from api.formats import iso as _iso
from api.links import SurfaceRoutes, link, url
from api.pagination import PageParams, page_envelope
from api.v1 import Collection, Page, Query, envelope
from campaigns.models import Campaign
from campaigns.preview import Preview
from campaigns.selectors import AbTestState
from campaigns.services import DELETABLE, EDITABLE, WINNER_CHOOSABLE, allowed_actions
from campaigns.testsend import SendReport
from campaigns.variants import letter, status_of
from templates.representations import template_href

ACTION_LINKS = {
    "start": ("/rels/start-campaign", "Start or resume sending"),
    "pause": ("/rels/pause-campaign", "Pause sending"),
    "cancel": ("/rels/cancel-campaign", "Cancel the campaign"),
}


class Routes(SurfaceRoutes):
    """``campaign-…`` under an account, or ``v1-campaign-…``."""

    def detail(self, campaign_id: int) -> str:
        return self._url("detail", campaign_id=campaign_id)

    def action(self, campaign_id: int, name: str) -> str:
        return self._url(name, campaign_id=campaign_id)


def hypermedia_routes(account_name: str) -> Routes:
    return Routes("campaign", account_name)


V1_ROUTES = Routes("v1-campaign")


def _summary(campaign: Campaign, stats: dict) -> dict:
    return {
        "campaignId": campaign.pk,
        "name": campaign.name,
        "subject": campaign.subject,
        "status": campaign.status,
        "scheduledAt": _iso(campaign.scheduled_at),
        "createdAt": _iso(campaign.created_at),
        "startedAt": _iso(campaign.started_at),
        "finishedAt": _iso(campaign.finished_at),
        "stats": stats,
    }


def _action_links(routes: Routes, campaign: Campaign) -> list[dict]:
    links = [link(routes.action(campaign.pk, action), *ACTION_LINKS[action]) for action in allowed_actions(campaign)]
    href = routes.detail(campaign.pk)
    if campaign.status in EDITABLE:
        links.append(link(href, "edit /rels/edit-campaign", "Edit campaign"))
    if campaign.status in DELETABLE:
        links.append(link(href, "delete /rels/delete-campaign", "Delete campaign"))
    return links


def _craft_links(routes: Routes, campaign_id: int) -> list[dict]:
    """The preview (of any subscriber, or of the sample recipient) and the test send: any status."""
    return [
        link(
            routes.action(campaign_id, "preview") + "{?subscriber,variant}",
            "/rels/campaign-preview",
            "Preview as a subscriber would receive it",
            templated=True,
        ),
        link(routes.action(campaign_id, "test"), "/rels/send-campaign-test", "Send a test"),
    ]


def campaign_item(routes: Routes, campaign: Campaign, stats: dict) -> dict:
    return {
        **_summary(campaign, stats),
        "_links": [
            link(routes.detail(campaign.pk), "item /rels/campaign", "Campaign details"),
            *_action_links(routes, campaign),
        ],
    }


def _segments_used(uses) -> list[dict]:
    """What sending used, once it started: each segment's name and active matches then."""
    return [
        {"segmentId": use.segment_id, "name": use.name, "excluded": use.excluded, "matched": use.matched}
        for use in uses
        if use.matched is not None
    ]


def winner_choosable(campaign: Campaign, ab) -> bool:
    return ab is not None and ab.winner is None and campaign.status in WINNER_CHOOSABLE


def ab_test_body(campaign: Campaign, state: AbTestState | None) -> dict | None:
    """An A/B campaign's test: its settings, where it stands, and each variant with its counters."""
    if state is None:
        return None
    ab = state.test
    return {
        "testShare": ab.test_share,
        "winnerMetric": ab.winner_metric,
        "waitMinutes": ab.wait_seconds // 60,
        "status": status_of(campaign, ab),
        "testRecipients": ab.tested,
        "heldRecipients": ab.held,
        "testSentAt": _iso(ab.test_sent_at),
        "winnerDueAt": _iso(ab.winner_due_at),
        "winner": None if ab.winner is None else letter(ab.winner),
        "winnerChosenAt": _iso(ab.winner_chosen_at),
        "chosenBy": ab.chosen_by or None,
        "variants": [
            {
                "variant": letter(variant.position),
                "subject": variant.subject,
                "fromName": variant.from_name,
                "preheader": variant.preheader,
                "html": variant.html,
                "text": variant.text,
                "stats": state.stats.get(variant.position, {}),
            }
            for variant in state.variants
        ],
    }


def campaign_detail(
    routes: Routes, campaign: Campaign, stats: dict, list_ids: list[int], uses=(), ab_test: AbTestState | None = None
) -> dict:
    """``uses``: the campaign's CampaignSegment rows (targeted and excluded segments); ``ab_test``: its A/B test."""
    links = [
        link(routes.detail(campaign.pk), "self /rels/campaign", "Campaign details"),
        *_action_links(routes, campaign),
        *_craft_links(routes, campaign.pk),
    ]
    if winner_choosable(campaign, ab_test.test if ab_test else None):
        links.append(link(routes.action(campaign.pk, "winner"), "/rels/choose-campaign-winner", "Choose the winner"))
    if routes.hypermedia:
        links += [
            link(
                url("list-detail", account_name=routes.account_name, list_id=list_id),
                "related /rels/list",
                "Target list",
            )
            for list_id in list_ids
        ]
        links += [
            link(
                url("segment-detail", account_name=routes.account_name, segment_id=use.segment_id),
                "related /rels/segment",
                "Excluded segment" if use.excluded else "Target segment",
            )
            for use in uses
            if use.segment_id is not None
        ]
        if campaign.task_id:
            links.append(
                link(
                    url("task-detail", account_name=routes.account_name, task_id=campaign.task_id),
                    "related /rels/task",
                    "Sending task",
                )
            )
    if campaign.template_id:
        href = template_href(routes.account_name, campaign.template_id)
        links.append(link(href, "related /rels/template", "Its template"))
    links += [link(routes.collection(), "parent /rels/campaigns-collection", "Campaigns"), *routes.home()]
    return {
        **_summary(campaign, stats),
        "fromName": campaign.from_name,
        "fromEmail": campaign.from_email,
        "replyTo": campaign.reply_to,
        "preheader": campaign.preheader,
        "html": campaign.html,
        "text": campaign.text,
        "templateId": campaign.template_id,
        "lists": list_ids,
        "segments": [use.segment_id for use in uses if not use.excluded and use.segment_id is not None],
        "excludedSegments": [use.segment_id for use in uses if use.excluded and use.segment_id is not None],
        "segmentsUsed": _segments_used(uses),
        "abTest": ab_test_body(campaign, ab_test),
        "taskId": campaign.task_id,
        "updatedAt": _iso(campaign.updated_at),
        "_links": links,
    }


def campaign_written_links(routes: Routes, campaign: Campaign) -> list[dict]:
    return [
        link(routes.detail(campaign.pk), "related /rels/campaign", "Campaign details"),
        *_action_links(routes, campaign),
        link(routes.collection(), "parent /rels/campaigns-collection", "Campaigns"),
        *routes.home(),
    ]


def campaign_deleted_links(routes: Routes) -> list[dict]:
    return [link(routes.collection(), "parent /rels/campaigns-collection", "Campaigns"), *routes.home()]


def campaigns_page(account_name: str, campaigns, stats: dict, total: int, params: PageParams, *, status) -> dict:
    """A page of the Blueprint surface's campaigns collection (``stats``: each campaign's counters)."""
    routes = hypermedia_routes(account_name)
    return page_envelope(
        [campaign_item(routes, campaign, stats[campaign.pk]) for campaign in campaigns],
        total,
        params,
        path=routes.collection(),
        collection_rel="/rels/campaigns-collection",
        affordances=[link(routes.collection(), "/rels/create-campaign", "Create a campaign"), *routes.home()],
        filters={"status": status},
    )


def campaigns_v1_page(page: Page, stats: dict, collection: Collection, query: Query) -> dict:
    """A page of /api/v1/campaigns (``stats``: each campaign's counters)."""
    return envelope(
        [campaign_item(V1_ROUTES, campaign, stats[campaign.pk]) for campaign in page.rows],
        page,
        collection,
        query,
        path=V1_ROUTES.collection(),
        collection_rel="/rels/campaigns-collection",
    )


def _preview_href(routes: Routes, campaign_id: int, subscriber, variant=None) -> str:
    query = [f"subscriber={subscriber.email_md5}"] if subscriber else []
    query += [f"variant={variant.name}"] if variant else []
    return routes.action(campaign_id, "preview") + ("?" + "&".join(query) if query else "")


def _subscriber_links(routes: Routes, subscriber) -> list[dict]:
    if subscriber is None or not routes.hypermedia:
        return []
    href = url("subscriber-detail", account_name=routes.account_name, email_md5=subscriber.email_md5)
    return [link(href, "related /rels/subscriber", "The subscriber whose merge values these are")]


def campaign_preview_body(routes: Routes, preview: Preview) -> dict:
    """GET …/preview: the campaign as ``preview.subscriber`` would receive it."""
    campaign, subscriber = preview.campaign, preview.subscriber
    return {
        "campaignId": campaign.pk,
        "subscriber": subscriber.email_md5 if subscriber else None,
        "variant": preview.variant.name if preview.variant else None,
        "to": preview.to,
        "fromName": preview.from_name,
        "fromEmail": campaign.from_email,
        "replyTo": campaign.reply_to,
        "subject": preview.subject,
        "preheader": preview.preheader,
        "html": preview.html,
        "text": preview.text,
        "_links": [
            link(
                _preview_href(routes, campaign.pk, subscriber, preview.variant),
                "self /rels/campaign-preview",
                "Preview",
            ),
            link(routes.action(campaign.pk, "test"), "/rels/send-campaign-test", "Send a test"),
            link(routes.detail(campaign.pk), "related /rels/campaign", "Campaign details"),
            *_subscriber_links(routes, subscriber),
            *routes.home(),
        ],
    }


def campaign_test_body(routes: Routes, report: SendReport) -> dict:
    """POST …/test: what the SMTP server said of each address."""
    campaign, subscriber = report.preview.campaign, report.preview.subscriber
    return {
        "message": f"Test sent to {report.sent} of {len(report.results)} addresses",
        "campaignId": campaign.pk,
        "subscriber": subscriber.email_md5 if subscriber else None,
        "subject": report.subject,
        "results": [
            {"emailAddress": r.email, "outcome": r.outcome, "smtpCode": r.code, "smtpResponse": r.response}
            for r in report.results
        ],
        "_links": [
            link(routes.detail(campaign.pk), "related /rels/campaign", "Campaign details"),
            link(_preview_href(routes, campaign.pk, subscriber), "/rels/campaign-preview", "Preview"),
            link(routes.collection(), "parent /rels/campaigns-collection", "Campaigns"),
            *routes.home(),
        ],
    }
