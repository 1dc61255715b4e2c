from django.db import models
from django.db.models.functions import Lower


class Template(models.Model):
    """A reusable layout: HTML (and optionally text) with one ``{{ content }}`` slot where a campaign's content
    goes (templates/layout.py). Read when a campaign is previewed or starts; a started campaign keeps its own
    compiled copy, so editing a template never reaches it."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="templates", db_index=False)
    name = models.CharField(max_length=200)
    html = models.TextField()
    text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(models.F("account"), Lower("name"), name="template_name_unique_ci")]
        indexes = [models.Index(fields=["account", "id"], name="template_account_id")]
        ordering = ["id"]

    def __str__(self):
        return self.name
