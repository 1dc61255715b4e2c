from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from api.counters import AccountTotal


class MailingList(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="lists")
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    # Shown on the preference page (preferences/), where subscribers tick it themselves; off unless the account
    # says so, so an internal list (an import, a test group) is never exposed. Its public name and description
    # are what subscribers read there (the name when blank): internal names are rarely meant for them.
    public = models.BooleanField(default=False, db_default=False)
    public_name = models.CharField(max_length=100, blank=True, default="", db_default="")
    public_description = models.CharField(max_length=300, blank=True, default="", db_default="")
    # Active members, kept exact in the transaction of every change (no COUNT(*) per page).
    subscribers_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Double opt-in: a new member stays pending until they confirm by the link of a confirmation email
    # (subscribers.services.subscription_request; the email: consent/). Blank template parts: the defaults.
    double_opt_in = models.BooleanField(default=False, db_default=False)
    confirmation_subject = models.CharField(max_length=500, blank=True, default="", db_default="")
    confirmation_html = models.TextField(blank=True, default="", db_default="")
    confirmation_text = models.TextField(blank=True, default="", db_default="")

    class Meta:
        db_table = "lists_list"
        verbose_name = "list"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                models.F("account"), Lower("name"), condition=Q(active=True), name="list_active_name_unique_ci"
            ),
        ]
        indexes = [models.Index(fields=["account", "id"], name="list_account_id")]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        """The name subscribers read."""
        return self.public_name or self.name


class ListCount(AccountTotal):
    """How many lists an account has: the lists collection's itemsCount."""
