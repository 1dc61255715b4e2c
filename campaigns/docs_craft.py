"""The docs registry's entries of a campaign's preview and test send (campaigns/preview.py, testsend.py)."""

from api.registry import profile, ref, rel

LINKS = {"type": "array", "items": ref("link")}
AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")

profile(
    "campaign-preview",
    "Campaign preview",
    {
        "description": "A campaign as one subscriber would receive it: merge tags filled in with the subscriber's "
        "values (`subscriber`: its emailMd5, null when the campaign's lists have no active subscriber and no "
        "subscriber was chosen: the fallbacks show), tracked links, open pixel and unsubscribe URL marked as a "
        "preview's (they lead where the real ones lead and count nothing). Line ends are `\\n`.",
        "type": "object",
        "required": ["campaignId", "subscriber", "to", "subject", "preheader", "html", "text", "_links"],
        "properties": {
            "campaignId": {"type": "integer"},
            "subscriber": {"type": ["string", "null"], "pattern": "^[0-9a-f]{32}$"},
            "variant": {
                "type": ["string", "null"],
                "description": "An A/B campaign's variant shown (`?variant=`, default A); null for another campaign.",
            },
            "to": {"type": "string"},
            "fromName": {"type": "string"},
            "fromEmail": {"type": "string"},
            "replyTo": {"type": "string"},
            "subject": {"type": "string"},
            "preheader": {"type": "string"},
            "html": {"type": "string"},
            "text": {"type": "string"},
            "_links": LINKS,
        },
    },
)
profile(
    "campaign-test-input",
    "Campaign test input",
    {
        "description": "The addresses a test goes to (1 to 10; duplicates are sent once) and, optionally, the "
        "subscriber (emailMd5) whose merge values it carries (default: the first active recipient).",
        "type": "object",
        "required": ["emails"],
        "properties": {
            "emails": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 10},
            "subscriber": {"type": "string", "pattern": "^[0-9a-fA-F]{32}$"},
            "variant": {"type": ["string", "null"], "description": "An A/B campaign's variant to send (default A)."},
        },
    },
)
profile(
    "campaign-test-result",
    "Campaign test result",
    {
        "description": "What the SMTP server said of each address of a test send. `outcome`: sent (250), refused "
        "(5xx), deferred (4xx: a test is not retried), failed (an address the server cannot take), unknown (the "
        "connection broke after the data), not-sent (the server stopped taking messages before this one).",
        "type": "object",
        "required": ["message", "campaignId", "subscriber", "subject", "results", "_links"],
        "properties": {
            "message": {"type": "string"},
            "campaignId": {"type": "integer"},
            "subscriber": {"type": ["string", "null"]},
            "subject": {"type": "string", "description": "As sent: `[Test] ` and the subscriber's subject."},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["emailAddress", "outcome", "smtpCode", "smtpResponse"],
                    "properties": {
                        "emailAddress": {"type": "string"},
                        "outcome": {"enum": ["sent", "refused", "deferred", "failed", "unknown", "not-sent"]},
                        "smtpCode": {"type": ["integer", "null"]},
                        "smtpResponse": {"type": "string"},
                    },
                },
            },
            "_links": LINKS,
        },
    },
)

rel(
    "campaign-preview",
    "Preview a campaign",
    "GET the campaign as a subscriber would receive it (`?subscriber={emailMd5}`; default: its first active "
    "recipient; an A/B campaign's `?variant=`, default A): subject, preheader, HTML and text with the merge values "
    "filled in. Its links count nothing. Any status.",
    response_profile="campaign-preview",
    problems=("400.3-invalid-parameter", "400.42-campaign-not-ready", "404.1-not-found", *AUTH),
)
rel(
    "send-campaign-test",
    "Send a test of a campaign",
    "POST `emails` (1 to 10 addresses) and optionally `subscriber` (an emailMd5 for the merge values): the "
    "campaign goes to them now, its subject prefixed `[Test] `, and the answer says what the SMTP server said "
    "of each. Not a campaign message: no stats, no analytics. Any status. `TEST_SENDS_PER_HOUR` per account.",
    method="POST",
    request_profile="campaign-test-input",
    response_profile="campaign-test-result",
    problems=(
        "400.24-missing-data",
        "400.2-validation-error",
        "400.42-campaign-not-ready",
        "404.1-not-found",
        "429.2-test-send-limit",
        "503.2-smtp-unavailable",
        *AUTH,
    ),
)
