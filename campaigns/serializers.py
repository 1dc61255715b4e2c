from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

from campaigns import variants
from campaigns.models import WinnerMetric
from campaigns.testsend import MAX_ADDRESSES
from subscribers.emails import InvalidEmail, normalize_email

MAX_CONTENT = 1024 * 1024
MAX_SCHEDULE_AHEAD = timedelta(days=3653)
MAX_WAIT_MINUTES = 30 * 24 * 60  # an A/B test's wait for its winner: up to 30 days


class WinnerInputSerializer(serializers.Serializer):
    """POST …/campaigns/{id}/winner: the variant that wins ("A" to "E"), or none for the best by the metric now."""

    variant = serializers.ChoiceField(choices=list(variants.LETTERS), required=False, allow_null=True, default=None)


class OptionalEmailField(serializers.CharField):
    """An address, or "" for none yet (a draft may lack it; starting needs it)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=254, allow_blank=True, required=False, default="", **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data).strip()
        if not value:
            return ""
        try:
            address = normalize_email(value).address
        except InvalidEmail as exc:
            raise serializers.ValidationError(str(exc)) from None
        if not address.isascii():  # it goes into envelopes and headers, which many servers take as ASCII only
            raise serializers.ValidationError("must be an ASCII address")
        return address


def _text(max_length: int, **kwargs):
    return serializers.CharField(
        max_length=max_length, allow_blank=True, required=False, default="", trim_whitespace=False, **kwargs
    )


class VariantInputSerializer(serializers.Serializer):
    """One version of an A/B campaign; a member left out (or empty) is the campaign's own."""

    subject = _text(500)
    fromName = _text(200)
    preheader = _text(500)
    html = _text(MAX_CONTENT)
    text = _text(MAX_CONTENT)


class AbTestInputSerializer(serializers.Serializer):
    variants = serializers.ListField(
        child=VariantInputSerializer(), min_length=variants.MIN_VARIANTS, max_length=variants.MAX_VARIANTS
    )
    testShare = serializers.IntegerField(min_value=1, max_value=100)
    winnerMetric = serializers.ChoiceField(
        choices=WinnerMetric.values, required=False, default=WinnerMetric.UNIQUE_OPENS
    )
    waitMinutes = serializers.IntegerField(min_value=0, max_value=MAX_WAIT_MINUTES)

    def validate(self, data):
        return {
            "variants": [
                {
                    "subject": v["subject"],
                    "from_name": v["fromName"],
                    "preheader": v["preheader"],
                    "html": v["html"],
                    "text": v["text"],
                }
                for v in data["variants"]
            ],
            "test_share": data["testShare"],
            "winner_metric": data["winnerMetric"],
            "wait_minutes": data["waitMinutes"],
        }


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    subject = _text(500)
    fromName = _text(200)
    fromEmail = OptionalEmailField()
    replyTo = OptionalEmailField()
    preheader = _text(500)
    html = _text(MAX_CONTENT)
    text = _text(MAX_CONTENT)
    lists = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62), max_length=100, required=False, default=list
    )
    segments = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62), max_length=20, required=False, default=list
    )
    excludedSegments = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62), max_length=20, required=False, default=list
    )
    scheduledAt = serializers.DateTimeField(required=False, allow_null=True, default=None)
    templateId = serializers.IntegerField(min_value=1, max_value=2**62, required=False, allow_null=True, default=None)
    abTest = AbTestInputSerializer(required=False, allow_null=True, default=None)

    def validate_scheduledAt(self, value):
        if value is not None and value > timezone.now() + MAX_SCHEDULE_AHEAD:
            raise serializers.ValidationError("must be within 10 years from now")
        return value

    def validate(self, data):
        """Model attribute names, as the services take them."""
        return {
            "name": data["name"].strip(),
            "subject": data["subject"],
            "from_name": data["fromName"],
            "from_email": data["fromEmail"],
            "reply_to": data["replyTo"],
            "preheader": data["preheader"],
            "html": data["html"],
            "text": data["text"],
            "lists": sorted(set(data["lists"])),
            "segments": list(dict.fromkeys(data["segments"])),
            "excluded_segments": list(dict.fromkeys(data["excludedSegments"])),
            "scheduled_at": data["scheduledAt"],
            "template_id": data["templateId"],
            "ab_test": data["abTest"],
        }


class CampaignTestInputSerializer(serializers.Serializer):
    """POST …/campaigns/{id}/test: 1 to 10 addresses, each checked on its own (one error per address), and
    optionally the subscriber (emailMd5) whose merge values the test carries."""

    emails = serializers.ListField(child=serializers.JSONField(), allow_empty=True)
    subscriber = serializers.CharField(required=False, allow_blank=False, max_length=254)
    variant = serializers.CharField(required=False, allow_null=True, default=None, max_length=1)

    def validate(self, data):
        emails, errors, seen = data["emails"], {}, {}
        if not 1 <= len(emails) <= MAX_ADDRESSES:
            raise serializers.ValidationError({"emails": f"1 to {MAX_ADDRESSES} addresses, got {len(emails)}"})
        for index, raw in enumerate(emails):
            try:
                address = normalize_email(raw).address
            except InvalidEmail as exc:
                errors[f"emails[{index}]"] = f"'{raw[:254]}' {exc}" if isinstance(raw, str) else str(exc)
                continue
            seen.setdefault(address, None)
        if errors:
            raise serializers.ValidationError(errors)
        return {"emails": list(seen), "subscriber": data.get("subscriber"), "variant": data["variant"]}
