from rest_framework import serializers

from exports.models import CSV, FORMATS, KINDS
from subscribers.models import Status


class ExportInputSerializer(serializers.Serializer):
    """What to export; whether the filters fit the kind and name the account's objects is the service's (400.54,
    400.55)."""

    kind = serializers.ChoiceField(choices=KINDS)
    format = serializers.ChoiceField(choices=FORMATS, default=CSV)
    listId = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True)
    segmentId = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Status.values, required=False, allow_null=True)
    campaignId = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True)
    callback = serializers.CharField(max_length=2000, required=False, allow_blank=True)


def submission(data: dict) -> dict:
    """The serializer's data as ``export_submit``'s keywords."""
    return {
        "kind": data["kind"],
        "fmt": data["format"],
        "list_id": data.get("listId"),
        "segment_id": data.get("segmentId"),
        "status": data.get("status"),
        "campaign_id": data.get("campaignId"),
        "callback": data.get("callback") or None,
    }
