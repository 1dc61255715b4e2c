from api.links import url, url_template
from api.pagination import collection_schema
from api.registry import affordance, model, profile, ref, rel
from api.v1 import page_schema
from campaigns import (
    docs_craft,  # noqa: F401  (the preview and the test send)
    problems,  # noqa: F401  (the group's problem types, for /errors)
)
from campaigns.models import CampaignStatus, WinnerMetric
from campaigns.selectors import STAT_METRICS
from campaigns.variants import LETTERS, VARIANT_METRICS

TIME = {"type": ["string", "null"], "format": "date-time"}
COUNT = {"type": "integer", "minimum": 0}
LINKS = {"type": "array", "items": ref("link")}
STATS = {
    "type": "object",
    "required": list(STAT_METRICS),
    "properties": dict.fromkeys(STAT_METRICS, COUNT),
    "description": "recipients (written when sending starts), sent, hardBounces, softBounces, skipped "
    "(no longer active at their turn), failed, unknown (maybe delivered, never sent again: on the wire when a "
    "sender died, at most one per SMTP connection), journalLost (of unknown, those whose batch's send journal was "
    "lost with their sender, so the whole batch fell back to unknown), canceled, opens, uniqueOpens, clicks, "
    "uniqueClicks, unsubscribes, complaints.",
}
TEMPLATE_ID = {
    "type": ["integer", "null"],
    "description": "The account's template whose `{{ content }}` slot takes the HTML (and, with a text layout, the "
    "text); null for none. Composed when the campaign is previewed, and frozen when it starts.",
}
VARIANT_CONTENT = {
    "subject": {"type": "string", "maxLength": 500},
    "fromName": {"type": "string", "maxLength": 200},
    "preheader": {"type": "string", "maxLength": 500},
    "html": {"type": "string"},
    "text": {"type": "string"},
}
AB_TEST_INPUT = {
    "type": ["object", "null"],
    "description": "An A/B test (null: none). `testShare` percent of the recipients, drawn at random when sending "
    "starts, are split evenly among the `variants` (2 to 5, named A to E in order; a member a variant leaves out "
    "or empty is the campaign's own); the rest are held. `waitMinutes` after the test share has been sent, the "
    "variant with the best rate of `winnerMetric` (unique opens or unique clicks over messages delivered; then "
    "the higher count; then the first) is sent to the rest. POST the campaign's `winner` action to choose "
    "sooner, or by hand. Each recipient gets one variant, ever.",
    "required": ["variants", "testShare", "waitMinutes"],
    "properties": {
        "variants": {
            "type": "array",
            "minItems": 2,
            "maxItems": 5,
            "items": {"type": "object", "properties": VARIANT_CONTENT},
        },
        "testShare": {"type": "integer", "minimum": 1, "maximum": 100},
        "winnerMetric": {"enum": WinnerMetric.values, "description": "Default uniqueOpens."},
        "waitMinutes": {"type": "integer", "minimum": 0, "maximum": 43200},
    },
}
AB_TEST = {
    "type": ["object", "null"],
    "description": "The campaign's A/B test, null for none. `status`: draft (not started), testing (the test "
    "share going out), waiting (for the winner, due at `winnerDueAt`), winner-chosen (the rest get `winner`). "
    "`testRecipients` and `heldRecipients`: the split, once sending started. `chosenBy`: the metric, or manual. "
    "Each variant carries its own counters (`stats`: the campaign's counters of the messages it went in).",
    "required": ["testShare", "winnerMetric", "waitMinutes", "status", "winner", "variants"],
    "properties": {
        "testShare": {"type": "integer"},
        "winnerMetric": {"enum": WinnerMetric.values},
        "waitMinutes": {"type": "integer"},
        "status": {"enum": ["draft", "testing", "waiting", "winner-chosen"]},
        "testRecipients": {"type": ["integer", "null"]},
        "heldRecipients": {"type": ["integer", "null"]},
        "testSentAt": TIME,
        "winnerDueAt": TIME,
        "winner": {"type": ["string", "null"], "enum": [*LETTERS, None]},
        "winnerChosenAt": TIME,
        "chosenBy": {"type": ["string", "null"]},
        "variants": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["variant", "subject", "fromName", "preheader", "html", "text", "stats"],
                "properties": {
                    "variant": {"enum": list(LETTERS)},
                    **VARIANT_CONTENT,
                    "stats": {
                        "type": "object",
                        "required": list(VARIANT_METRICS),
                        "properties": dict.fromkeys(VARIANT_METRICS, COUNT),
                    },
                },
            },
        },
    },
}
SUMMARY = {
    "campaignId": {"type": "integer"},
    "name": {"type": "string"},
    "subject": {"type": "string"},
    "status": {"enum": CampaignStatus.values},
    "scheduledAt": TIME,
    "createdAt": TIME,
    "startedAt": TIME,
    "finishedAt": TIME,
    "stats": STATS,
    "_links": LINKS,
}
SUMMARY_REQUIRED = ["campaignId", "name", "subject", "status", "scheduledAt", "stats", "_links"]

profile(
    "campaign-summary",
    "Campaign (summary)",
    {
        "description": "A campaign in a collection: its content is left out.",
        "type": "object",
        "required": SUMMARY_REQUIRED,
        "properties": SUMMARY,
    },
)
profile(
    "campaign",
    "Campaign",
    {
        "description": "A campaign: its content, target lists, status, stats and the actions allowed now.",
        "type": "object",
        "required": [
            *SUMMARY_REQUIRED,
            "fromName",
            "fromEmail",
            "replyTo",
            "preheader",
            "html",
            "text",
            "templateId",
            "lists",
            "segments",
            "excludedSegments",
            "segmentsUsed",
            "abTest",
        ],
        "properties": {
            **SUMMARY,
            "fromName": {"type": "string"},
            "fromEmail": {"type": "string"},
            "replyTo": {"type": "string"},
            "preheader": {"type": "string"},
            "html": {"type": "string"},
            "text": {"type": "string"},
            "templateId": TEMPLATE_ID,
            "lists": {"type": "array", "items": {"type": "integer"}},
            "segments": {"type": "array", "items": {"type": "integer"}, "description": "Targeted segments."},
            "excludedSegments": {"type": "array", "items": {"type": "integer"}},
            "segmentsUsed": {
                "type": "array",
                "description": "Once sending started: each segment as it was then, with its active matches.",
                "items": {
                    "type": "object",
                    "required": ["segmentId", "name", "excluded", "matched"],
                    "properties": {
                        "segmentId": {"type": ["integer", "null"], "description": "null once the segment is deleted."},
                        "name": {"type": "string"},
                        "excluded": {"type": "boolean"},
                        "matched": COUNT,
                    },
                },
            },
            "abTest": AB_TEST,
            "taskId": {"type": ["integer", "null"]},
            "updatedAt": TIME,
        },
    },
)
profile(
    "campaigns-collection",
    "Campaigns collection",
    collection_schema("campaign-summary", "A page of the account's campaigns (filter `status`)."),
)
profile(
    "campaign-input",
    "Campaign input",
    {
        "description": "The body to create or replace a campaign. Merge tags: `{{ field }}` or "
        "`{{ field | fallback }}`. When the campaign is compiled (previewed, or frozen as it starts), the HTML goes "
        "in its template's slot (`templateId`), the rules of `<style>` blocks are inlined as `style` attributes "
        "(blocks with `@media` stay), and without `text` a text part is written from the HTML.",
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "subject": {"type": "string", "maxLength": 500},
            "fromName": {"type": "string", "maxLength": 200},
            "fromEmail": {"type": "string", "maxLength": 254},
            "replyTo": {"type": "string", "maxLength": 254},
            "preheader": {"type": "string", "maxLength": 500},
            "html": {"type": "string"},
            "text": {"type": "string"},
            "templateId": TEMPLATE_ID,
            "lists": {"type": "array", "items": {"type": "integer"}, "maxItems": 100},
            "segments": {
                "type": "array",
                "items": {"type": "integer"},
                "maxItems": 20,
                "description": "Segments whose active matches receive it too.",
            },
            "excludedSegments": {
                "type": "array",
                "items": {"type": "integer"},
                "maxItems": 20,
                "description": "Segments whose matches never receive it.",
            },
            "scheduledAt": {**TIME, "description": "A future time schedules the campaign; null keeps it a draft."},
            "abTest": AB_TEST_INPUT,
        },
    },
)
profile(
    "campaigns-page",
    "Campaigns page (/api/v1)",
    page_schema(ref("campaign-summary"), "A page of campaigns by `limit` and `offset`, or by `cursor`.", LINKS),
)
profile(
    "bounce-report",
    "Bounce report",
    {
        "description": "One asynchronous bounce or complaint, or an array of up to 1000 of them.",
        "type": "object",
        "required": ["type", "messageId"],
        "properties": {
            "type": {"enum": ["hard-bounce", "soft-bounce", "complaint"]},
            "messageId": {"type": "string", "description": "The Message-ID header of the email, as sent."},
            "detail": {"type": "string", "maxLength": 1000},
            "occurredAt": TIME,
        },
    },
)
profile(
    "bounce-report-result",
    "Bounce report result",
    {
        "type": "object",
        "required": ["recorded", "results", "_links"],
        "properties": {
            "recorded": COUNT,
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["messageId", "outcome"],
                    "properties": {
                        "messageId": {"type": "string"},
                        "outcome": {"enum": ["recorded", "already-recorded", "unknown-message"]},
                    },
                },
            },
            "_links": LINKS,
        },
    },
)

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")
ACTION = ("404.1-not-found", "409.7-campaign-action-not-allowed", *AUTH)
WRITE = ("400.24-missing-data", "400.2-validation-error", "400.42-campaign-not-ready", *AUTH)
rel(
    "campaigns-collection",
    "Campaigns",
    "A page of the account's campaigns (`page`, `per_page`, `status`).",
    response_profile="campaigns-collection",
    problems=("400.3-invalid-parameter", *AUTH),
)
rel(
    "create-campaign",
    "Create a campaign",
    "POST a campaign; 201 with `Location`. A future `scheduledAt` schedules it at once.",
    method="POST",
    request_profile="campaign-input",
    response_profile="message",
    problems=WRITE,
)
rel(
    "campaign",
    "Campaign",
    "A campaign: content, lists, status, stats and the actions allowed now.",
    response_profile="campaign",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "edit-campaign",
    "Edit a campaign",
    "PUT the whole campaign; only a draft or a scheduled one.",
    method="PUT",
    request_profile="campaign-input",
    response_profile="message",
    problems=(*WRITE, "404.1-not-found", "409.6-campaign-locked"),
)
rel(
    "delete-campaign",
    "Delete a campaign",
    "DELETE a draft, sent or canceled campaign; its messages and events stay for analytics.",
    method="DELETE",
    response_profile="message",
    problems=ACTION,
)
rel(
    "start-campaign",
    "Start a campaign",
    "POST to send now (a draft or scheduled campaign) or to resume a paused one.",
    method="POST",
    response_profile="message",
    problems=(*ACTION, "400.42-campaign-not-ready"),
)
rel(
    "pause-campaign",
    "Pause a campaign",
    "POST to stop sending after the batches in flight; start resumes.",
    method="POST",
    response_profile="message",
    problems=ACTION,
)
rel(
    "cancel-campaign",
    "Cancel a campaign",
    "POST to never send the rest (scheduled, sending or paused).",
    method="POST",
    response_profile="message",
    problems=ACTION,
)
rel(
    "choose-campaign-winner",
    "Choose the winner of an A/B campaign",
    'POST `{"variant": "B"}` to send that variant to the held rest now, or an empty body for the best by '
    "the test's metric as it stands (before the wait ends). While the campaign is sending or paused and has no "
    "winner yet.",
    method="POST",
    request_profile="campaign-winner-input",
    response_profile="message",
    problems=(*ACTION, "400.2-validation-error"),
)
profile(
    "campaign-winner-input",
    "Campaign winner input",
    {
        "description": "The variant that wins (A to E); left out or null: the best by the test's metric now.",
        "type": "object",
        "properties": {"variant": {"type": ["string", "null"], "enum": [*LETTERS, None]}},
    },
)

model(
    "campaign",
    "Campaign",
    "One message sent to every active subscriber of its lists and segments (minus its excluded segments) over "
    "SMTP, with open, click and unsubscribe tracking. Status: draft, scheduled, sending, paused, sent, canceled.",
    profile="campaign",
)
model(
    "campaigns-collection",
    "Campaigns collection",
    "A page of campaigns, with the pagination envelope.",
    profile="campaigns-collection",
)


def _campaign_template(view):
    return lambda account: url_template(view, {"account_name": account}, {"campaign_id": "campaignId"})


affordance(
    500, lambda account: url("campaign-collection", account_name=account), "/rels/campaigns-collection", "Campaigns"
)
affordance(
    501, lambda account: url("campaign-collection", account_name=account), "/rels/create-campaign", "Create a campaign"
)
affordance(502, _campaign_template("campaign-detail"), "/rels/campaign", "Campaign details", templated=True)
affordance(503, _campaign_template("campaign-detail"), "edit /rels/edit-campaign", "Edit a campaign", templated=True)
affordance(
    504, _campaign_template("campaign-detail"), "delete /rels/delete-campaign", "Delete a campaign", templated=True
)
affordance(505, _campaign_template("campaign-start"), "/rels/start-campaign", "Start a campaign", templated=True)
affordance(506, _campaign_template("campaign-pause"), "/rels/pause-campaign", "Pause a campaign", templated=True)
affordance(507, _campaign_template("campaign-cancel"), "/rels/cancel-campaign", "Cancel a campaign", templated=True)
