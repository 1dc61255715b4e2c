from django.db import models


class DailyStat(models.Model):
    """An account's counter per UTC day, campaign and metric, kept exact in the transaction that changes it.

    ``campaign_id`` is 0 for a message that belongs to no campaign: a real value, not NULL, so the unique
    key (and ``INSERT … ON CONFLICT``) also holds for those rows. Not a foreign key: a deleted campaign's
    counts stay in the account's totals.
    """

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    campaign_id = models.BigIntegerField(default=0)
    metric = models.CharField(max_length=20)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "day", "campaign_id", "metric"],
                                               name="daily_stat_unique")]
