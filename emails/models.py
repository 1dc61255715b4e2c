"""Single emails' own rows. Their ``Message`` (status, attempts, events, counters) is the messages domain's, in
campaigns; these tables kept their names when the models moved here (db_table)."""

from django.db import models


class SingleEmail(models.Model):
    """The content of a single email (POST /api/v1/emails/send): its Message has no campaign, so its compiled
    parts and numbered links live here (tracked links of a single email redirect only to these)."""

    message = models.OneToOneField(
        "campaigns.Message", on_delete=models.CASCADE, related_name="single", primary_key=True, db_constraint=False
    )
    subject = models.CharField(max_length=500)
    from_name = models.CharField(max_length=200, blank=True, default="")
    from_email = models.CharField(max_length=254)
    reply_to = models.CharField(max_length=254, blank=True, default="")
    html = models.TextField(blank=True, default="")
    text = models.TextField(blank=True, default="")
    values = models.JSONField(default=dict)
    compiled = models.JSONField()
    links = models.JSONField(default=list)

    class Meta:
        db_table = "campaigns_singleemail"


class IdempotencyKey(models.Model):
    """A request's ``Idempotency-Key`` for 24 hours: the payload's hash and the first response."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=255)
    payload_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "campaigns_idempotencykey"
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="idempotency_key_unique")]
