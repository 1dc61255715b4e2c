"""Analytics on the core REST surface: /api/v1/analytics/… (read-only, the API key's account)."""
import re
from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema

from analytics import selectors
from api.links import link
from api.openapi import responses
from api.pagination import choice_param
from api.problems import INVALID_PARAMETER, ApiProblem
from api.responses import hypermedia
from api.v1 import V1View
from campaigns.representations import V1_ROUTES

MAX_RANGE_DAYS = 3 * 366
AUTH_PARAMETERS = {"access_token"}
EMAIL_PARAMETERS = [
    OpenApiParameter("from", str, description="First day (YYYY-MM-DD, UTC), default 29 days before `to`."),
    OpenApiParameter("to", str, description="Last day, included (YYYY-MM-DD, UTC), default today."),
    OpenApiParameter("group_by", str, enum=list(selectors.GROUPS), description="Periods: day (default), "
                     "week (ISO, from Monday) or month."),
]
TIMELINE_PARAMETER = OpenApiParameter("timeline", str, enum=list(selectors.TIMELINE_BUCKETS),
                                      description="Timeline buckets: hour (default, the first 168 hours) or day "
                                                  "(the first 90 days).")


def only_parameters(request, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(request.query_params) - set(allowed) - AUTH_PARAMETERS)
    if unknown:
        listed = ", ".join(allowed) or "none"
        raise ApiProblem(INVALID_PARAMETER, f"Unknown parameter '{unknown[0]}'; allowed: {listed}.",
                         errors=[{"field": name, "detail": f"unknown parameter; allowed: {listed}"}
                                 for name in unknown])


def date_param(request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiProblem(INVALID_PARAMETER, f"'{name}' must be a date as YYYY-MM-DD, got '{raw}'.",
                         errors=[{"field": name, "detail": "must be a date as YYYY-MM-DD"}]) from None


def date_range(request) -> tuple[date, date]:
    start, end = date_param(request, "from"), date_param(request, "to")
    default_start, default_end = selectors.default_range(end)
    start, end = start or default_start, end or default_end
    if start > end:
        raise ApiProblem(INVALID_PARAMETER, f"'from' ({start}) must not be after 'to' ({end}).",
                         errors=[{"field": "from", "detail": "must not be after 'to'"}])
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ApiProblem(INVALID_PARAMETER, f"The range may span at most {MAX_RANGE_DAYS} days.",
                         errors=[{"field": "from", "detail": f"the range may span at most {MAX_RANGE_DAYS} days"}])
    return start, end


class EmailAnalyticsView(V1View):
    @extend_schema(operation_id="v1_analytics_emails", parameters=EMAIL_PARAMETERS,
                   responses=responses({200: "email-analytics"}, extra_problems=(400,)))
    def get(self, request):
        only_parameters(request, ("from", "to", "group_by"))
        start, end = date_range(request)
        group_by = choice_param(request, "group_by", selectors.GROUPS) or "day"
        body = selectors.email_metrics(account=self.account, start=start, end=end, group_by=group_by)
        body["_links"] = [link(f"{request.path}?from={start}&to={end}&group_by={group_by}",
                               "self /rels/email-analytics", "These figures")]
        return hypermedia(body, "email-analytics")


class CampaignAnalyticsView(V1View):
    @extend_schema(operation_id="v1_analytics_campaign", parameters=[TIMELINE_PARAMETER],
                   responses=responses({200: "campaign-analytics"}, extra_problems=(400, 404)))
    def get(self, request, campaign_id):
        only_parameters(request, ("timeline",))
        timeline = choice_param(request, "timeline", tuple(selectors.TIMELINE_BUCKETS)) or "hour"
        body = selectors.campaign_metrics(account=self.account, campaign_id=campaign_id, timeline=timeline)
        body["_links"] = [link(request.path, "self /rels/campaign-analytics", "These figures"),
                          link(V1_ROUTES.detail(campaign_id), "/rels/campaign", "The campaign")]
        return hypermedia(body, "campaign-analytics")


class ContactAnalyticsView(V1View):
    @extend_schema(operation_id="v1_analytics_contact",
                   responses=responses({200: "contact-analytics"}, extra_problems=(400, 404)))
    def get(self, request, email_md5):
        only_parameters(request, ())
        body = selectors.contact_metrics(account=self.account, email_md5=email_md5)
        body["_links"] = [link(request.path, "self /rels/contact-analytics", "These figures")]
        return hypermedia(body, "contact-analytics")
