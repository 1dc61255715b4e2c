from django.contrib import admin

from backoffice.dashboard import DAYS, dashboard


class BackOfficeSite(admin.AdminSite):
    """The admin site; its index shows the dashboard of the account chosen with ``?account=``, over the last
    ``?days=`` days (7, 30 or 90), above the apps."""

    site_header = "Email marketing back office"
    site_title = "Back office"
    index_title = "Dashboard"
    index_template = "backoffice/index.html"

    def index(self, request, extra_context=None):
        board = dashboard(account_id=request.GET.get("account"), days=request.GET.get("days"))
        return super().index(request, {**(extra_context or {}), "dashboard": board, "days_choices": DAYS})
