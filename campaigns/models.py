from django.db import models
from django.db.models import Q

from api.counters import AccountBuckets, AccountTotal


class CampaignStatus(models.TextChoices):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    SENT = "sent"
    CANCELED = "canceled"


class Campaign(models.Model):
    """One message sent to every active subscriber of its lists. While sending, its task moves it."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="campaigns", db_index=False)
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=500, blank=True, default="")
    from_name = models.CharField(max_length=200, blank=True, default="")
    from_email = models.CharField(max_length=254, blank=True, default="")
    reply_to = models.CharField(max_length=254, blank=True, default="")
    preheader = models.CharField(max_length=500, blank=True, default="")
    html = models.TextField(blank=True, default="")
    text = models.TextField(blank=True, default="")
    # Its HTML goes in the template's {{ content }} slot; read until it starts (compiled then), so deleting the
    # template is refused while the campaign is unfinished (templates.services.template_delete).
    template = models.ForeignKey(
        "templates.Template", null=True, blank=True, on_delete=models.SET_NULL, related_name="campaigns"
    )
    lists = models.ManyToManyField("lists.MailingList", related_name="campaigns", blank=True)
    status = models.CharField(max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    task = models.OneToOneField("tasks.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="campaign")
    # Frozen at start: the compiled subject and parts (links already rewritten), so content cannot drift.
    compiled = models.JSONField(null=True, blank=True)
    # Set once the recipients (Message rows) have been written; a second sender sees it and skips that step.
    recipients_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "id"], name="campaign_account_id"),
            models.Index(fields=["account", "status", "id"], name="campaign_account_status_id"),
        ]
        ordering = ["id"]

    def __str__(self):
        return self.name


class CampaignLink(models.Model):
    """A link of the campaign's HTML, numbered when the campaign starts; clicks redirect only to these."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links", db_index=False)
    position = models.PositiveIntegerField()
    url = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "position"], name="campaign_link_unique")]
        ordering = ["position"]


class CampaignSegment(models.Model):
    """A segment the campaign targets (its matches join the lists' members) or excludes. When sending starts
    the recipients are fixed, and the segment's name and how many active subscribers it matched then are
    kept here: a finished campaign still says what it used if the segment changes or goes."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="segment_uses", db_index=False)
    segment = models.ForeignKey("segments.Segment", null=True, on_delete=models.SET_NULL, related_name="+")
    excluded = models.BooleanField(default=False)
    name = models.CharField(max_length=200, blank=True, default="")
    matched = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "segment"], name="campaign_segment_unique")]
        ordering = ["id"]


VARIANT_NAMES = "ABCDE"  # an A/B campaign's variants, by position


class WinnerMetric(models.TextChoices):
    UNIQUE_OPENS = "uniqueOpens"
    UNIQUE_CLICKS = "uniqueClicks"


class AbTest(models.Model):
    """A campaign's A/B test: ``test_share`` percent of its recipients, drawn at random when sending begins, get
    its variants in equal parts; the rest wait (messages ``held``) until the winner is chosen (by
    ``winner_metric`` once ``wait_seconds`` have passed since the test share was sent, or by hand), then get it."""

    campaign = models.OneToOneField(Campaign, primary_key=True, on_delete=models.CASCADE, related_name="ab_test")
    test_share = models.PositiveSmallIntegerField()
    winner_metric = models.CharField(max_length=12, choices=WinnerMetric.choices, default=WinnerMetric.UNIQUE_OPENS)
    wait_seconds = models.PositiveIntegerField()
    # How many recipients the test share and the rest were, once sending began.
    tested = models.PositiveIntegerField(null=True, blank=True)
    held = models.PositiveIntegerField(null=True, blank=True)
    test_sent_at = models.DateTimeField(null=True, blank=True)  # the test share's last message was recorded
    winner_due_at = models.DateTimeField(null=True, blank=True)  # test_sent_at + the wait
    winner = models.PositiveSmallIntegerField(null=True, blank=True)  # the variant's position
    winner_chosen_at = models.DateTimeField(null=True, blank=True)
    chosen_by = models.CharField(max_length=12, blank=True, default="")  # the metric, or "manual"

    @property
    def winner_name(self) -> str | None:
        return None if self.winner is None else VARIANT_NAMES[self.winner]


class CampaignVariant(models.Model):
    """One version of an A/B campaign (position 0 is "A"). Empty members take the campaign's own."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants", db_index=False)
    position = models.PositiveSmallIntegerField()
    subject = models.CharField(max_length=500, blank=True, default="")
    from_name = models.CharField(max_length=200, blank=True, default="")
    preheader = models.CharField(max_length=500, blank=True, default="")
    html = models.TextField(blank=True, default="")
    text = models.TextField(blank=True, default="")
    compiled = models.JSONField(null=True, blank=True)  # frozen at start, like Campaign.compiled

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "position"], name="campaign_variant_unique")]
        ordering = ["campaign", "position"]

    @property
    def name(self) -> str:
        return VARIANT_NAMES[self.position]


class CampaignStat(models.Model):
    """A campaign's counters (sent, opens, uniqueOpens, …), kept exact in the transaction that changes them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", db_index=False)
    metric = models.CharField(max_length=20)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "metric"], name="campaign_stat_unique")]


class CampaignCount(AccountBuckets):
    """Campaigns of an account per status bucket (each status and 'all'), kept exact."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "bucket"], name="campaign_count_unique")]


class MessageCount(AccountTotal):
    """How many messages an account has (campaigns' and single emails), kept exact in the transaction that
    writes them: the unfiltered /api/v1/emails page needs no COUNT(*) (a scan of the account's messages)."""


class MessageTally(models.Model):
    """How many of an account's messages are in each status, per campaign (0: a single email, or a message
    whose campaign was deleted), kept exact by the database itself: triggers on the messages' table move it in
    the statement that inserts, updates or deletes them (campaigns/tally.py), so every path that changes a
    message's status (sending, recording, provider events, bounces, single emails, A/B held messages, cancels,
    recovery), set-based SQL included, counts in its own transaction. A filtered /api/v1/emails page by status or
    campaign reads its total here instead of a ``COUNT(*)`` over the account's messages.

    No database constraint on the account: a deleted account's rows go with it in its ``post_delete``
    (campaigns/tally.py), after its messages, whatever order Django deletes them in."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    status = models.CharField(max_length=12)
    campaign_id = models.BigIntegerField(default=0)
    # PostgreSQL: the writing connection's shard of the count (its backend's pid modulo 8), so that two senders
    # of a campaign, one claiming (queued → sending) while the other records (sending → sent), seldom wait for
    # each other's commit on one row; a count is the sum of its shards (each may be negative). SQLite: 0.
    shard = models.PositiveSmallIntegerField(default=0)
    count = models.BigIntegerField(default=0)  # no CHECK: an upsert checks its VALUES row first

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "status", "campaign_id", "shard"], name="message_tally_unique")
        ]
        indexes = [models.Index(fields=["campaign_id"], name="message_tally_campaign")]


class MessageSentDay(models.Model):
    """How many of an account's messages were sent each UTC day (their ``sent_at``), kept exact by the same
    triggers as ``MessageTally``: a /api/v1/emails page filtered by sent time sums the whole days of its range
    here and counts only the rows of its edge days (campaigns/tally.py)."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    day = models.DateField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="message_sent_day_unique")]


class MessageStatus(models.TextChoices):
    QUEUED = "queued"  # waiting for its turn (or for a retry after a 4xx)
    SENDING = "sending"  # claimed by a sender: in flight
    SENT = "sent"  # the server answered 250 to the data
    SKIPPED = "skipped"  # the subscriber was no longer active at its turn
    SOFT_BOUNCE = "soft-bounce"  # still 4xx after every attempt
    HARD_BOUNCE = "hard-bounce"  # 5xx
    FAILED = "failed"  # the address cannot be written to the server (not ASCII without SMTPUTF8)
    UNKNOWN = "unknown"  # in flight when its sender died: maybe delivered, never sent again
    CANCELED = "canceled"  # the campaign was canceled before its turn
    HELD = "held"  # an A/B campaign's: waiting for the test's winner, then queued with it


class Message(models.Model):
    """One email to one recipient. For a campaign, (campaign, subscriber) is unique: at most one, ever."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages", db_index=False
    )
    subscriber = models.ForeignKey(
        "subscribers.Subscriber",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        db_constraint=False,
    )
    to_email = models.CharField(max_length=254)
    status = models.CharField(max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    smtp_code = models.PositiveSmallIntegerField(null=True, blank=True)
    smtp_response = models.CharField(max_length=1000, blank=True, default="")
    # The email service provider's id of the message (EMAIL_PROVIDER), as its API answered: what its event
    # webhooks name (campaigns/provider_events.py). Empty when sent over SMTP.
    provider_id = models.CharField(max_length=255, blank=True, default="", db_default="")
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # An A/B campaign's: the position of the variant it carries (null while held, and for other messages).
    variant = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "subscriber"], name="message_campaign_subscriber_unique"),
        ]
        indexes = [
            # What senders claim, in id order; rows leave the index when they are claimed.
            models.Index(fields=["campaign", "id"], name="message_queued", condition=Q(status="queued")),
            models.Index(fields=["campaign", "claimed_at"], name="message_sending", condition=Q(status="sending")),
            models.Index(fields=["campaign", "status", "id"], name="message_campaign_status_id"),
            # /api/v1/emails: an account's messages by id or by sent time.
            models.Index(fields=["account", "id"], name="message_account_id"),
            models.Index(fields=["account", "sent_at", "id"], name="message_account_sent_at_id"),
            # /api/v1/emails?status=: a page of the account's messages in a status, however few (its total is
            # the tally's).
            models.Index(fields=["account", "status", "id"], name="message_account_status_id"),
            # /api/v1/emails?recipient=: an account's messages to an address (its page and its count).
            models.Index(fields=["account", "to_email"], name="message_account_to_email"),
            # A provider's event names its message by the provider's id.
            models.Index(fields=["provider_id"], name="message_provider_id", condition=~Q(provider_id="")),
        ]
        ordering = ["id"]

    def __str__(self):
        return f"message {self.pk} to {self.to_email} ({self.status})"


class EventType(models.TextChoices):
    OPEN = "open"
    CLICK = "click"
    UNSUBSCRIBE = "unsubscribe"
    HARD_BOUNCE = "hard-bounce"
    SOFT_BOUNCE = "soft-bounce"
    COMPLAINT = "complaint"


class Event(models.Model):
    """Something that happened to a message after it was sent, with its time."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="events", db_index=False, db_constraint=False
    )
    campaign_id = models.BigIntegerField(null=True, blank=True)
    type = models.CharField(max_length=12, choices=EventType.choices)
    url = models.TextField(null=True, blank=True)
    detail = models.CharField(max_length=1000, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["message", "id"], name="event_message_id"),
            models.Index(fields=["campaign_id", "type", "at"], name="event_campaign_type_at"),
            # Segments' "opened/clicked in the last N days" (segments/compiler.py): the account's recent events.
            models.Index(fields=["account", "type", "at"], name="event_account_type_at"),
        ]
        ordering = ["id"]
