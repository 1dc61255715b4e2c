"""The campaigns group of the Blueprint surface: /accounts/{accountName}/campaigns…"""

from drf_spectacular.utils import OpenApiParameter, extend_schema

from api.openapi import request_body, responses
from api.pagination import PAGE_PARAMETERS, page_params
from api.problems import VALIDATION_ERROR
from api.query import choice_param, only_parameters
from api.responses import hypermedia, message
from api.validation import validated
from api.views import AccountScopedView
from campaigns import representations as rep
from campaigns.models import CampaignStatus
from campaigns.preview import campaign_preview, preview_subscriber, variant_find
from campaigns.selectors import (
    campaign_ab_test,
    campaign_get,
    campaign_list_ids,
    campaign_page,
    campaign_segment_uses,
    campaign_stats,
)
from campaigns.serializers import CampaignInputSerializer, CampaignTestInputSerializer, WinnerInputSerializer
from campaigns.services import (
    campaign_cancel,
    campaign_create,
    campaign_delete,
    campaign_pause,
    campaign_start,
    campaign_update,
)
from campaigns.testsend import campaign_test_send
from campaigns.winner import campaign_winner_choose

STATUS_PARAMETER = OpenApiParameter("status", str, enum=list(CampaignStatus.values))
SUBSCRIBER_PARAMETER = OpenApiParameter(
    "subscriber",
    str,
    pattern="^[0-9a-fA-F]{32}$",
    description="The emailMd5 of the subscriber whose merge values to use (default: the first active recipient).",
)
VARIANT_PARAMETER = OpenApiParameter(
    "variant", str, enum=["A", "B", "C", "D", "E"], description="An A/B campaign's variant (default A)."
)
ACTIONS = {
    "start": (campaign_start, "Campaign started"),
    "pause": (campaign_pause, "Campaign paused"),
    "cancel": (campaign_cancel, "Campaign canceled"),
}


def campaign_body(routes, campaign) -> dict:
    stats = campaign_stats([campaign.pk])[campaign.pk]
    return rep.campaign_detail(
        routes,
        campaign,
        stats,
        campaign_list_ids(campaign),
        campaign_segment_uses(campaign),
        campaign_ab_test(campaign),
    )


class CampaignCollectionView(AccountScopedView):
    scope = "campaigns"

    @extend_schema(
        operation_id="campaigns_list",
        parameters=[*PAGE_PARAMETERS, STATUS_PARAMETER],
        responses=responses({200: "campaigns-collection"}, extra_problems=(400,)),
    )
    def get(self, request, account_name):
        params = page_params(request)
        status = choice_param(request, "status", CampaignStatus.values)
        rows, total = campaign_page(account=self.account, status=status, params=params)
        stats = campaign_stats([campaign.pk for campaign in rows])
        body = rep.campaigns_page(self.account.name, rows, stats, total, params, status=status)
        return hypermedia(body, "campaigns-collection")

    @extend_schema(
        operation_id="campaigns_create",
        request=request_body("campaign-input"),
        responses=responses({201: "message"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request, account_name):
        campaign = campaign_create(account=self.account, data=validated(CampaignInputSerializer, request.data))
        routes = rep.hypermedia_routes(self.account.name)
        text = "Campaign scheduled" if campaign.status == CampaignStatus.SCHEDULED else "Campaign created"
        return message(
            text,
            rep.campaign_written_links(routes, campaign),
            status=201,
            headers={"Location": routes.detail(campaign.pk)},
        )


class CampaignDetailView(AccountScopedView):
    scope = "campaigns"

    @extend_schema(operation_id="campaigns_retrieve", responses=responses({200: "campaign"}, extra_problems=(404,)))
    def get(self, request, account_name, campaign_id):
        campaign = campaign_get(account=self.account, campaign_id=campaign_id)
        return hypermedia(campaign_body(rep.hypermedia_routes(self.account.name), campaign), "campaign")

    @extend_schema(
        operation_id="campaigns_update",
        request=request_body("campaign-input"),
        responses=responses({200: "message"}, extra_problems=(400, 404, 409, 415)),
    )
    def put(self, request, account_name, campaign_id):
        campaign = campaign_get(account=self.account, campaign_id=campaign_id)
        campaign = campaign_update(campaign=campaign, data=validated(CampaignInputSerializer, request.data))
        return message(
            "Campaign updated", rep.campaign_written_links(rep.hypermedia_routes(self.account.name), campaign)
        )

    @extend_schema(operation_id="campaigns_destroy", responses=responses({200: "message"}, extra_problems=(404, 409)))
    def delete(self, request, account_name, campaign_id):
        campaign_delete(campaign=campaign_get(account=self.account, campaign_id=campaign_id))
        return message("Campaign deleted", rep.campaign_deleted_links(rep.hypermedia_routes(self.account.name)))


def campaign_action_view(name: str, base=AccountScopedView, routes_for=None):
    """POST …/campaigns/{campaignId}/{start|pause|cancel}."""
    service, text = ACTIONS[name]

    @extend_schema(
        operation_id=f"campaigns_{name}" if routes_for is None else f"v1_campaigns_{name}",
        request=None,
        responses=responses({200: "message"}, extra_problems=(400, 404, 409)),
    )
    def post(self, request, campaign_id, account_name=None):
        campaign = service(campaign=campaign_get(account=self.account, campaign_id=campaign_id))
        routes = routes_for(self) if routes_for else rep.hypermedia_routes(self.account.name)
        return message(text, rep.campaign_written_links(routes, campaign))

    return type(f"Campaign{name.capitalize()}View", (base,), {"scope": "campaigns", "post": post})


def campaign_preview_view(base=AccountScopedView, routes_for=None):
    """GET …/campaigns/{campaignId}/preview[?subscriber=emailMd5]: any status."""

    @extend_schema(
        operation_id="campaigns_preview" if routes_for is None else "v1_campaigns_preview",
        parameters=[SUBSCRIBER_PARAMETER, VARIANT_PARAMETER],
        responses=responses({200: "campaign-preview"}, extra_problems=(400, 404)),
    )
    def get(self, request, campaign_id, account_name=None):
        only_parameters(request, ("subscriber", "variant"))
        campaign = campaign_get(account=self.account, campaign_id=campaign_id)
        chosen = request.query_params.get("subscriber")
        subscriber = preview_subscriber(account=self.account, chosen=chosen, member="subscriber") if chosen else None
        variant = variant_find(campaign, request.query_params.get("variant"), member="variant")
        routes = routes_for(self) if routes_for else rep.hypermedia_routes(self.account.name)
        preview = campaign_preview(campaign, subscriber, variant)
        return hypermedia(rep.campaign_preview_body(routes, preview), "campaign-preview")

    return type("CampaignPreviewView", (base,), {"scope": "campaigns", "get": get})


def campaign_test_view(base=AccountScopedView, routes_for=None):
    """POST …/campaigns/{campaignId}/test: the test goes out now; the answer says each address's outcome."""

    @extend_schema(
        operation_id="campaigns_test" if routes_for is None else "v1_campaigns_test",
        request=request_body("campaign-test-input"),
        responses=responses({200: "campaign-test-result"}, extra_problems=(400, 404, 415, 429, 503)),
    )
    def post(self, request, campaign_id, account_name=None):
        campaign = campaign_get(account=self.account, campaign_id=campaign_id)  # B's campaign: 404 before all
        data = validated(CampaignTestInputSerializer, request.data)
        chosen = data["subscriber"]
        subscriber = (
            preview_subscriber(account=self.account, chosen=chosen, member="subscriber", problem=VALIDATION_ERROR)
            if chosen
            else None
        )
        variant = variant_find(campaign, data["variant"], member="variant", problem=VALIDATION_ERROR)
        report = campaign_test_send(campaign=campaign, emails=data["emails"], subscriber=subscriber, variant=variant)
        routes = routes_for(self) if routes_for else rep.hypermedia_routes(self.account.name)
        return hypermedia(rep.campaign_test_body(routes, report), "campaign-test-result")

    return type("CampaignTestView", (base,), {"scope": "campaigns", "post": post})


def campaign_winner_view(base=AccountScopedView, routes_for=None):
    """POST …/campaigns/{campaignId}/winner: an A/B campaign's winner now (a variant, or the best so far)."""

    @extend_schema(
        operation_id="campaigns_winner" if routes_for is None else "v1_campaigns_winner",
        request=request_body("campaign-winner-input"),
        responses=responses({200: "message"}, extra_problems=(400, 404, 409, 415)),
    )
    def post(self, request, campaign_id, account_name=None):
        campaign = campaign_get(account=self.account, campaign_id=campaign_id)
        data = validated(WinnerInputSerializer, request.data or {})
        campaign = campaign_winner_choose(campaign=campaign, variant=data["variant"])
        routes = routes_for(self) if routes_for else rep.hypermedia_routes(self.account.name)
        return message("Winner chosen", rep.campaign_written_links(routes, campaign))

    return type("CampaignWinnerView", (base,), {"scope": "campaigns", "post": post})
