from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from api.counters import AccountTotal


class MailingList(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="lists")
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
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


class ListCount(AccountTotal):
    """How many lists an account has: the lists collection's itemsCount."""
