"""Analytics on the core REST surface: /api/v1/analytics/… (read-only, the API key's account)."""

from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema

from analytics import representations as rep, selectors
from api.openapi import responses
from api.problems import INVALID_PARAMETER, ApiProblem
from api.query import choice_param, date_param, only_parameters
from api.responses import hypermedia
from api.v1 import V1View

MAX_RANGE_DAYS = selectors.MAX_RANGE_DAYS
EMAIL_PARAMETERS = [
    OpenApiParameter("from", str, description="First day (YYYY-MM-DD, UTC), default 29 days before `to`."),
    OpenApiParameter("to", str, description="Last day, included (YYYY-MM-DD, UTC), default today."),
    OpenApiParameter(
        "group_by",
        str,
        enum=list(selectors.GROUPS),
        description="Periods: day (default), week (ISO, from Monday) or month.",
    ),
]
TIMELINE_PARAMETER = OpenApiParameter(
    "timeline",
    str,
    enum=list(selectors.TIMELINE_BUCKETS),
    description="Timeline buckets: hour (default, the first 168 hours) or day (the first 90 days).",
)


def date_range(request) -> tuple[date, date]:
    start, end = date_param(request, "from"), date_param(request, "to")
    default_start, default_end = selectors.default_range(end)
    start, end = start or default_start, end or default_end
    if start > end:
        raise ApiProblem(
            INVALID_PARAMETER,
            f"'from' ({start}) must not be after 'to' ({end}).",
            errors=[{"field": "from", "detail": "must not be after 'to'"}],
        )
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ApiProblem(
            INVALID_PARAMETER,
            f"The range may span at most {MAX_RANGE_DAYS} days.",
            errors=[{"field": "from", "detail": f"the range may span at most {MAX_RANGE_DAYS} days"}],
        )
    return start, end


class EmailAnalyticsView(V1View):
    scope = "analytics"

    @extend_schema(
        operation_id="v1_analytics_emails",
        parameters=EMAIL_PARAMETERS,
        responses=responses({200: "email-analytics"}, extra_problems=(400,)),
    )
    def get(self, request):
        only_parameters(request, ("from", "to", "group_by"))
        start, end = date_range(request)
        group_by = choice_param(request, "group_by", selectors.GROUPS) or "day"
        totals, periods = selectors.email_figures(account=self.account, start=start, end=end, group_by=group_by)
        body = rep.email_analytics(totals, periods, start=start, end=end, group_by=group_by, path=request.path)
        return hypermedia(body, "email-analytics")


class CampaignAnalyticsView(V1View):
    scope = "analytics"

    @extend_schema(
        operation_id="v1_analytics_campaign",
        parameters=[TIMELINE_PARAMETER],
        responses=responses({200: "campaign-analytics"}, extra_problems=(400, 404)),
    )
    def get(self, request, campaign_id):
        only_parameters(request, ("timeline",))
        timeline = choice_param(request, "timeline", tuple(selectors.TIMELINE_BUCKETS)) or "hour"
        figures = selectors.campaign_figures(account=self.account, campaign_id=campaign_id, timeline=timeline)
        return hypermedia(rep.campaign_analytics(figures, path=request.path), "campaign-analytics")


class ContactAnalyticsView(V1View):
    scope = "analytics"

    @extend_schema(
        operation_id="v1_analytics_contact", responses=responses({200: "contact-analytics"}, extra_problems=(400, 404))
    )
    def get(self, request, email_md5):
        only_parameters(request, ())
        figures = selectors.contact_figures(account=self.account, email_md5=email_md5)
        return hypermedia(rep.contact_analytics(figures, path=request.path), "contact-analytics")
