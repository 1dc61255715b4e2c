"""Segment writes. The condition tree is checked against the account (segments/conditions.py) and stored
normalised; nothing is materialised (counts and pages evaluate it when read)."""

from django.db import IntegrityError, transaction

from api.audit import record
from api.problems import ApiProblem
from campaigns.selectors import campaigns_targeting_segment
from lists.problems import DUPLICATED_NAME
from segments.models import Segment
from segments.problems import SEGMENT_IN_USE
from segments.selectors import tree_checked


def _duplicated(name: str) -> ApiProblem:
    return ApiProblem(DUPLICATED_NAME, f"Already exists a segment with the name '{name}'.")


def _save(segment: Segment, *, name: str, match, conditions) -> Segment:
    tree = tree_checked(account=segment.account, match=match, conditions=conditions)
    others = Segment.objects.filter(account=segment.account, name__iexact=name)
    if segment.pk:
        others = others.exclude(pk=segment.pk)
    if others.exists():
        raise _duplicated(name)
    segment.name, segment.match, segment.conditions = name, tree["match"], tree["conditions"]
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError:  # a concurrent write took the name
        raise _duplicated(name) from None
    return segment


def _recorded(segment: Segment, verb: str) -> Segment:
    record(
        account_id=segment.account_id,
        action=f"segment.{verb}",
        object_type="segment",
        object_id=segment.pk,
        details={"name": segment.name},
    )
    return segment


@transaction.atomic
def segment_create(*, account, name: str, match, conditions) -> Segment:
    return _recorded(_save(Segment(account=account), name=name, match=match, conditions=conditions), "create")


@transaction.atomic
def segment_update(*, segment: Segment, name: str, match, conditions) -> Segment:
    """PUT: the whole segment. Campaigns that target it see the new conditions when they start."""
    segment = Segment.objects.select_for_update().select_related("account").get(pk=segment.pk)
    return _recorded(_save(segment, name=name, match=match, conditions=conditions), "update")


@transaction.atomic
def segment_delete(*, segment: Segment) -> None:
    """Refused while an unfinished campaign targets or excludes it; finished ones keep its name and count."""
    campaigns = campaigns_targeting_segment(segment_id=segment.pk)
    if campaigns:
        raise ApiProblem(
            SEGMENT_IN_USE,
            f"Campaign(s) {', '.join(map(str, campaigns))} target or exclude the segment; edit them first.",
        )
    Segment.objects.filter(pk=segment.pk).delete()
    _recorded(segment, "delete")
