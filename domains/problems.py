from api.registry import problem

SENDER_NOT_VERIFIED = problem(
    400,
    50,
    "sender-not-verified",
    "The from address is not on a verified sending domain of the account.",
    "A `fromEmail` must be on a sending domain the account added and verified (its DKIM record found in DNS), or "
    "on a subdomain of one: add the domain (`/rels/create-domain`), publish the records it shows, then verify it "
    "(`/rels/verify-domain`). `errors` names `fromEmail`. A server whose operator set ALLOW_UNVERIFIED_SENDERS "
    "takes any address (and signs only those on verified domains).",
)
