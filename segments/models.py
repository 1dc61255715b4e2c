from django.db import models
from django.db.models.functions import Lower


class Segment(models.Model):
    """A saved condition tree over an account's subscribers: evaluated when read, never materialised (a
    campaign fixes its recipients when it starts)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="segments", db_index=False)
    name = models.CharField(max_length=200)
    match = models.CharField(max_length=3, default="all")  # all | any, of ``conditions``
    # The normalised tree (segments/conditions.py): values already in their stored form.
    conditions = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(models.F("account"), Lower("name"), name="segment_name_unique_ci")]
        indexes = [models.Index(fields=["account", "id"], name="segment_account_id")]
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def tree(self) -> dict:
        return {"match": self.match, "conditions": self.conditions}
