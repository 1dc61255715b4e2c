"""What a campaign must be to be written (``write_check``: 400 naming every invalid member) and to be scheduled or
started (``readiness_errors``, ``require_ready``: 422 naming what it lacks)."""

from django.utils import timezone

from api.problems import VALIDATION_ERROR, ApiProblem
from campaigns import compiling, content, variants
from campaigns.models import Campaign, CampaignSegment
from campaigns.problems import CAMPAIGN_NOT_READY
from campaigns.variants import ab_test_errors
from domains.selectors import sender_check, sender_errors
from fields.selectors import field_types
from lists.models import MailingList
from segments.selectors import segments_of
from templates.selectors import template_find


def field_names(account) -> dict[str, str]:
    """The account's field names, keyed lowercased (merge tags are case-insensitive)."""
    return {name.lower(): name for name, _ in field_types(account=account)}


def write_check(account, data: dict) -> None:
    """400 naming every invalid member: unknown lists, bad merge tags, a scheduled time in the past; first 400.50
    for a from address on no verified sending domain of the account (domains/)."""
    sender_check(account_id=account.pk, email=data.get("from_email") or "")
    errors = []
    unknown = sorted(
        set(data["lists"])
        - set(MailingList.objects.filter(account=account, pk__in=data["lists"]).values_list("pk", flat=True))
    )
    if unknown:
        errors.append({"field": "lists", "detail": f"unknown lists: {unknown}"})
    errors += _segment_errors(account, data)
    errors += _content_errors(account, data)
    if data.get("scheduled_at") and data["scheduled_at"] <= timezone.now():
        errors.append({"field": "scheduledAt", "detail": "must be in the future (or null to keep a draft)"})
    if errors:
        raise ApiProblem(VALIDATION_ERROR, "; ".join(f"{e['field']}: {e['detail']}" for e in errors), errors=errors)


def _content_errors(account, data: dict) -> list[dict]:
    """Merge tags, and the template: one of the account's (locked against a concurrent delete until this
    transaction ends), whose layout fits this content."""
    fields = field_names(account)
    errors = content.check(
        subject=data["subject"],
        html_part=data["html"],
        text_part=data["text"],
        preheader=data["preheader"],
        fields=fields,
    )
    template_id = data.get("template_id")
    template = template_find(account_id=account.pk, template_id=template_id, lock=True)
    if template_id is not None and template is None:
        return [*errors, {"field": "templateId", "detail": f"unknown template: {template_id}"}]
    errors += ab_test_errors(data, fields)
    if errors:
        return errors
    return compiling.template_errors(template, html=data["html"], text=data["text"], fields=fields)


def _segment_errors(account, data: dict) -> list[dict]:
    targeted, excluded = data.get("segments", []), data.get("excluded_segments", [])
    known = segments_of(account_id=account.pk, segment_ids=[*targeted, *excluded])
    errors = []
    for member, ids in (("segments", targeted), ("excludedSegments", excluded)):
        unknown = [segment_id for segment_id in ids if segment_id not in known]
        if unknown:
            errors.append({"field": member, "detail": f"unknown segments: {unknown}"})
    both = sorted(set(targeted) & set(excluded))
    if both:
        errors.append({"field": "excludedSegments", "detail": f"segments both targeted and excluded: {both}"})
    return errors


def readiness_errors(campaign: Campaign) -> list[dict]:
    errors = []
    for attribute, member, what in (("subject", "subject", "a subject"), ("from_email", "fromEmail", "a from address")):
        if not getattr(campaign, attribute).strip():
            errors.append({"field": member, "detail": f"the campaign needs {what}"})
    # The domain may have been deleted, or failed a later check, since the campaign was written.
    errors += sender_errors(account_id=campaign.account_id, email=campaign.from_email.strip())
    if not campaign.html.strip() and not campaign.text.strip():
        errors.append({"field": "html", "detail": "the campaign needs HTML or text content"})
    fields = field_names(campaign.account)
    found = content.check(
        subject=campaign.subject,
        html_part=campaign.html,
        text_part=campaign.text,
        preheader=campaign.preheader,
        fields=fields,
    )
    errors += found or compiling.template_errors(
        campaign.template, html=campaign.html, text=campaign.text, fields=fields
    )
    errors += variants.readiness_errors(campaign, fields)
    lists = list(campaign.lists.all())
    # A segment's matches are counted when sending starts (recipients then), not on every check.
    targets_segments = CampaignSegment.objects.filter(campaign=campaign, excluded=False).exists()
    if not lists and not targets_segments:
        errors.append({"field": "lists", "detail": "the campaign needs at least one list or segment"})
    elif not targets_segments and not any(mailing_list.subscribers_count for mailing_list in lists):
        errors.append({"field": "lists", "detail": "the campaign's lists have no active subscribers"})
    return errors


def require_ready(campaign: Campaign, doing: str) -> None:
    errors = readiness_errors(campaign)
    if errors:
        raise ApiProblem(
            CAMPAIGN_NOT_READY,
            f"Cannot {doing} the campaign: " + "; ".join(f"{e['field']}: {e['detail']}" for e in errors),
            errors=errors,
        )
