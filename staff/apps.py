from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Back-office roles: which accounts each staff user sees (viewer) and changes (editor, owner)."""

    name = "staff"
    verbose_name = "Staff roles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from api.roles import roles_source
        from staff.selectors import roles_of_user

        roles_source(roles_of_user)
