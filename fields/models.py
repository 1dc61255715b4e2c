from django.db import models
from django.db.models.functions import Lower

from fields.types import TYPES


class IndexStatus(models.TextChoices):
    NONE = "none"  # not indexed (an index being dropped included)
    BUILDING = "building"  # indexed, its index not built yet (fields/indexing.py)
    READY = "ready"


class Field(models.Model):
    """A subscriber field of an account; values live in ``Subscriber.fields`` under ``name``."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(max_length=50)
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=[(t, t) for t in TYPES])
    private = models.BooleanField(default=False)
    predefined = models.BooleanField(default=False)
    indexed = models.BooleanField(
        default=False, help_text="Filterable: an index answers the contacts' filter by this field (costs imports)."
    )
    index_status = models.CharField(max_length=8, choices=IndexStatus.choices, default=IndexStatus.NONE)
    index_requested_at = models.DateTimeField(null=True, blank=True)  # when its index job was last queued
    position = models.PositiveIntegerField(default=1000, help_text="Predefined fields first, in their order.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(models.F("account"), Lower("name"), name="field_name_unique_ci")]
        ordering = ["position", "id"]

    def __str__(self):
        return self.name
