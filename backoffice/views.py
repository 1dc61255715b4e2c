"""The back office's analytics pages (staff only: the site wraps them in ``admin_view``), of the accounts the
staff user is given (api/roles.py)."""

from django.http import HttpResponse
from django.template.response import TemplateResponse

from accounts.models import Account
from api.roles import visible
from backoffice.campaign_report import campaign_report
from backoffice.exports import campaigns_csv, report_csv
from backoffice.reports import CAMPAIGN_COLUMNS, GROUPS, PERIOD_COLUMNS, report
from campaigns.models import Campaign

HEADERS = {
    "period_headers": [header for header, _, _ in PERIOD_COLUMNS],
    "campaign_headers": [header for header, _, _ in CAMPAIGN_COLUMNS],
    "groups": GROUPS,
}


def account_analytics(request, *, site):
    board = report(request.GET, visible(request, Account.objects.all()))
    context = {**site.each_context(request), **HEADERS, "title": "Analytics", "report": board}
    return TemplateResponse(request, "backoffice/analytics.html", context)


def account_analytics_csv(request, *, site):
    """The table of periods, or with ``table=campaigns`` the table of campaigns, as CSV."""
    board = report(request.GET, visible(request, Account.objects.all()))
    table = "campaigns" if request.GET.get("table") == "campaigns" else "periods"
    body = campaigns_csv(board) if table == "campaigns" else report_csv(board)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    choice = board.choice
    account = choice.account.pk if choice.account else "none"
    name = f"{table}-{account}-{choice.start}-{choice.end}-{choice.group_by}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def campaign_analytics(request, campaign_id: int, *, site):
    board = campaign_report(campaign_id, request.GET.get("unit"), visible(request, Campaign.objects.all()))
    context = {**site.each_context(request), **HEADERS, "title": f"Analytics: {board.campaign.name}", "report": board}
    return TemplateResponse(request, "backoffice/campaign_analytics.html", context)
