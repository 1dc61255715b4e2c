from functools import partial

from django.contrib import admin
from django.urls import path, reverse

from accounts.models import Account
from api.roles import account_ids, visible
from backoffice import views
from backoffice.dashboard import DAYS, dashboard


class BackOfficeSite(admin.AdminSite):
    """The admin site; its index shows the dashboard of the account chosen with ``?account=``, over the last
    ``?days=`` days (7, 30 or 90), above the apps. Its analytics pages (``analytics/``) join the apps in the
    navigation."""

    site_header = "Email marketing back office"
    site_title = "Back office"
    index_title = "Dashboard"
    index_template = "backoffice/index.html"

    def index(self, request, extra_context=None):
        accounts = visible(request, Account.objects.all())
        board = dashboard(account_id=request.GET.get("account"), days=request.GET.get("days"), accounts=accounts)
        return super().index(request, {**(extra_context or {}), "dashboard": board, "days_choices": DAYS})

    def get_urls(self):
        own = [
            path("analytics/", self.admin_view(partial(views.account_analytics, site=self)), name="analytics"),
            path(
                "analytics/figures.csv",
                self.admin_view(partial(views.account_analytics_csv, site=self)),
                name="analytics-csv",
            ),
            path(
                "analytics/campaigns/<int:campaign_id>/",
                self.admin_view(partial(views.campaign_analytics, site=self)),
                name="analytics-campaign",
            ),
        ]
        return own + super().get_urls()

    def get_app_list(self, request, app_label=None):
        """The apps, and on the index and in the navigation an "Analytics" section of the back office's pages."""
        apps = super().get_app_list(request, app_label)
        if app_label is not None or account_ids(request) == set():
            return apps  # a staff user given no account sees no analytics
        url = reverse("admin:analytics", current_app=self.name)
        analytics = {
            "name": "Analytics",
            "app_label": "backoffice-analytics",
            "app_url": url,
            "has_module_perms": True,
            "models": [{"name": "Account analytics", "object_name": "Report", "admin_url": url, "view_only": True}],
        }
        return [analytics, *apps]
