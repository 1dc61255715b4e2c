from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class BackOfficeConfig(AppConfig):
    """The back office's own pages (the dashboard); the models' admins live in their apps."""

    name = "backoffice"
    default_auto_field = "django.db.models.BigAutoField"


class BackOfficeAdminConfig(AdminConfig):
    """Django's admin, with the back office's site (its index is the dashboard) as the default site."""

    default_site = "backoffice.site.BackOfficeSite"
