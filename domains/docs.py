from api.links import url, url_template
from api.pagination import collection_schema
from api.registry import affordance, model, profile, ref, rel
from api.v1 import page_schema
from domains import problems  # noqa: F401  (the group's problem types, for /errors)

LINKS = {"type": "array", "items": ref("link")}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
STATUS = {
    "enum": ["pending", "verified", "failed"],
    "description": "pending: never checked; verified: the last check found the DKIM key; failed: it did not.",
}
RECORD = {
    "type": "object",
    "description": "A DNS record to publish, and what the last check found of it.",
    "required": ["purpose", "type", "name", "value", "check", "detail"],
    "properties": {
        "purpose": {
            "enum": ["dkim", "spf"],
            "description": "dkim: the public key receivers check signatures with (required to verify); spf: the "
            "hosts that may send for the domain (reported, not required).",
        },
        "type": {"const": "TXT"},
        "name": {"type": "string", "description": "The record's full name."},
        "value": {
            "type": "string",
            "description": "Its value. A DKIM value passes 255 characters: DNS providers split it into strings.",
        },
        "check": {"enum": ["unchecked", "passed", "failed"]},
        "detail": {"type": ["string", "null"], "description": "What the last check found."},
    },
}
BODY = {
    "domainId": {"type": "integer"},
    "domain": {"type": "string", "description": "Lowercase; an internationalized name as its A-labels."},
    "status": STATUS,
    "selector": {"type": "string", "description": "The DKIM selector (s=), chosen by the server."},
    "dnsRecords": {"type": "array", "items": RECORD},
    "createdAt": TIME,
    "checkedAt": NULLABLE_TIME,
    "verifiedAt": NULLABLE_TIME,
    "_links": LINKS,
}
profile(
    "domain",
    "Sending domain",
    {
        "description": "A domain the account sends from: the DNS records to publish (its DKIM key, SPF) and whether "
        "the last check found them. Messages from a verified domain (or a subdomain of one) are DKIM-signed.",
        "type": "object",
        "required": list(BODY),
        "properties": BODY,
    },
)
profile(
    "domains-collection",
    "Sending domains collection",
    collection_schema("domain", "A page of the account's sending domains."),
)
profile(
    "domains-page",
    "Sending domains page (/api/v1)",
    page_schema(ref("domain"), "A page of sending domains by `limit` and `offset`, or by `cursor`.", LINKS),
)
profile(
    "domain-input",
    "Sending domain input",
    {
        "description": "The domain to add: a host name (example.com, mail.example.com), unique in the account.",
        "type": "object",
        "required": ["domain"],
        "properties": {"domain": {"type": "string", "minLength": 1, "maxLength": 253}},
    },
)

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")
rel(
    "domains-collection",
    "Sending domains",
    "A page of the account's sending domains (`page`, `per_page`; on /api/v1 `limit`, `offset`, `cursor`).",
    response_profile="domains-collection",
    problems=("400.3-invalid-parameter", *AUTH),
)
rel(
    "create-domain",
    "Add a sending domain",
    "POST a `domain`: the server makes its DKIM key pair and answers 201 with `Location`; the domain's "
    "`dnsRecords` say what to publish.",
    method="POST",
    request_profile="domain-input",
    response_profile="message",
    problems=("400.24-missing-data", "400.2-validation-error", "400.38-duplicated-name", *AUTH),
)
rel(
    "domain",
    "Sending domain",
    "A sending domain: its DNS records, its status, when it was checked and verified.",
    response_profile="domain",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "verify-domain",
    "Verify a sending domain",
    "POST (no body) to look the domain's records up in DNS now: answers the domain with what each check found. "
    "Verified while its DKIM record publishes the domain's key.",
    method="POST",
    response_profile="domain",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "delete-domain",
    "Delete a sending domain",
    "DELETE a sending domain and its key: messages from it are no longer signed, nor taken unless the server "
    "allows unverified senders.",
    method="DELETE",
    response_profile="message",
    problems=("404.1-not-found", *AUTH),
)

model(
    "domain",
    "Sending domain",
    "A domain an account sends from, with its DKIM key pair (made by the server; the private key never leaves it) "
    "and the DNS records to publish. A campaign's or a single email's `fromEmail` must be on a verified domain "
    "(unless the server allows unverified senders); messages from one are DKIM-signed.",
    profile="domain",
)
model(
    "domains-collection",
    "Sending domains collection",
    "A page of sending domains, with the pagination envelope.",
    profile="domains-collection",
)


def _domain_template(view):
    return lambda account: url_template(view, {"account_name": account}, {"domain_id": "domainId"})


affordance(
    800, lambda account: url("domain-collection", account_name=account), "/rels/domains-collection", "Sending domains"
)
affordance(
    801, lambda account: url("domain-collection", account_name=account), "/rels/create-domain", "Add a sending domain"
)
affordance(802, _domain_template("domain-detail"), "/rels/domain", "Sending domain", templated=True)
affordance(803, _domain_template("domain-verify"), "/rels/verify-domain", "Verify a sending domain", templated=True)
affordance(
    804, _domain_template("domain-detail"), "delete /rels/delete-domain", "Delete a sending domain", templated=True
)
