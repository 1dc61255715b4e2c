"""Campaigns on the core REST surface: /api/v1/campaigns… The same services as the Blueprint surface."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.openapi import request_body, responses
from api.responses import hypermedia
from api.v1 import V1View, parse_query
from api.validation import validated
from campaigns import representations as rep
from campaigns.selectors import CAMPAIGNS, campaign_get, campaign_stats, campaign_v1_page
from campaigns.serializers import CampaignInputSerializer
from campaigns.services import campaign_create, campaign_delete, campaign_update
from campaigns.views import (
    campaign_action_view,
    campaign_body,
    campaign_preview_view,
    campaign_test_view,
    campaign_winner_view,
)

ROUTES = rep.V1_ROUTES


class V1CampaignCollectionView(V1View):
    scope = "campaigns"

    @extend_schema(
        operation_id="v1_campaigns_list",
        parameters=CAMPAIGNS.parameters(),
        responses=responses({200: "campaigns-page"}, extra_problems=(400,)),
    )
    def get(self, request):
        query = parse_query(request, CAMPAIGNS)
        page = campaign_v1_page(account=self.account, query=query)
        stats = campaign_stats([campaign.pk for campaign in page.rows])
        return hypermedia(rep.campaigns_v1_page(page, stats, CAMPAIGNS, query), "campaigns-page")

    @extend_schema(
        operation_id="v1_campaigns_create",
        request=request_body("campaign-input"),
        responses=responses({201: "campaign"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request):
        campaign = campaign_create(account=self.account, data=validated(CampaignInputSerializer, request.data))
        return hypermedia(
            campaign_body(ROUTES, campaign), "campaign", status=201, headers={"Location": ROUTES.detail(campaign.pk)}
        )


class V1CampaignDetailView(V1View):
    scope = "campaigns"

    @extend_schema(operation_id="v1_campaigns_retrieve", responses=responses({200: "campaign"}, extra_problems=(404,)))
    def get(self, request, campaign_id):
        return hypermedia(
            campaign_body(ROUTES, campaign_get(account=self.account, campaign_id=campaign_id)), "campaign"
        )

    @extend_schema(
        operation_id="v1_campaigns_update",
        request=request_body("campaign-input"),
        responses=responses({200: "campaign"}, extra_problems=(400, 404, 409, 415)),
    )
    def put(self, request, campaign_id):
        campaign = campaign_get(account=self.account, campaign_id=campaign_id)
        campaign = campaign_update(campaign=campaign, data=validated(CampaignInputSerializer, request.data))
        return hypermedia(campaign_body(ROUTES, campaign), "campaign")

    @extend_schema(operation_id="v1_campaigns_destroy", responses=responses({204: None}, extra_problems=(404, 409)))
    def delete(self, request, campaign_id):
        campaign_delete(campaign=campaign_get(account=self.account, campaign_id=campaign_id))
        return Response(status=204)


def v1_action_view(name: str):
    return campaign_action_view(name, base=V1View, routes_for=lambda view: ROUTES)


V1CampaignPreviewView = campaign_preview_view(base=V1View, routes_for=lambda view: ROUTES)
V1CampaignTestView = campaign_test_view(base=V1View, routes_for=lambda view: ROUTES)
V1CampaignWinnerView = campaign_winner_view(base=V1View, routes_for=lambda view: ROUTES)
