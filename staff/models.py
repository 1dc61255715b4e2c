from django.conf import settings
from django.db import models

from api.roles import EDITOR, OWNER, VIEWER


class Role(models.TextChoices):
    VIEWER = VIEWER, "viewer: reads the account's pages"
    EDITOR = EDITOR, "editor: also changes its lists, subscribers, campaigns…"
    OWNER = OWNER, "owner: also its keys, webhooks, domains, settings and roles"


class StaffRole(models.Model):
    """A staff user's role on one account (api/roles.py says what each allows); a superuser needs none."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_roles")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=10, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("user", "account"), name="staff_role_one_per_account")]
        ordering = ("account__name", "user__username")

    def __str__(self):
        return f"{self.user} · {self.account} · {self.role}"
