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
        constraints = [
            models.UniqueConstraint(fields=["account", "day", "campaign_id", "metric"], name="daily_stat_unique")
        ]


class HourlyStat(models.Model):
    """A campaign's opens and clicks per UTC hour, kept exact with its other counters: the campaign's timeline
    without reading its events."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False)
    hour = models.DateTimeField()
    metric = models.CharField(max_length=20)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "hour", "metric"], name="hourly_stat_unique")]


class LinkStat(models.Model):
    """A campaign link's ``clicks`` and ``uniqueClicks``, by the link's position.

    A message's click counts as unique on the position clicked when the message had not clicked the same URL
    before (at any position): summed by URL, the unique clicks are the messages that clicked it, exactly."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False)
    position = models.PositiveIntegerField()
    metric = models.CharField(max_length=20)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "position", "metric"], name="link_stat_unique")]
