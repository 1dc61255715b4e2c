from django.contrib import admin

from backoffice.dashboard import dashboard


class BackOfficeSite(admin.AdminSite):
    """The admin site; its index shows the dashboard of the account chosen with ``?account=`` above the apps."""

    site_header = "Email marketing back office"
    site_title = "Back office"
    index_title = "Dashboard"
    index_template = "backoffice/index.html"

    def index(self, request, extra_context=None):
        board = dashboard(account_id=request.GET.get("account"))
        return super().index(request, {**(extra_context or {}), "dashboard": board})
