from api.registry import problem

PROVIDER_WEBHOOK_UNAUTHENTICATED = problem(
    401,
    4,
    "provider-webhook-unauthenticated",
    "The provider webhook's credentials are missing or wrong.",
    "A provider's event webhook takes HTTP Basic authentication with one of the `user:password` pairs of "
    "`ANYMAIL_WEBHOOK_SECRET`: put them in the webhook URL you give the provider "
    "(`https://user:password@host/api/v1/webhooks/providers/…`). The answer carries `WWW-Authenticate: Basic` "
    "(Amazon SNS sends them only after that).",
)
PROVIDER_SIGNATURE_INVALID = problem(
    403,
    4,
    "provider-signature-invalid",
    "The provider's signature of the event does not verify.",
    "The event was not signed by the provider with the key this server has, or not for this content: Mailgun's "
    "webhook signing key (`ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY`), SendGrid's verification key "
    "(`ANYMAIL_SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY`), Amazon SNS's signature by its certificate on "
    "`sns.<region>.amazonaws.com`. `detail` says which check failed.",
)
PROVIDER_EVENT_INVALID = problem(
    400,
    57,
    "provider-event-invalid",
    "The body is not an event of this provider.",
    "The body could not be read as the provider's event webhook sends it (not its JSON or form, a member "
    "missing, an inbound message posted to the tracking webhook); `detail` says what.",
)
SNS_SUBSCRIPTION_REFUSED = problem(
    400,
    58,
    "sns-subscription-refused",
    "The Amazon SNS subscription cannot be confirmed.",
    "A `SubscriptionConfirmation` is confirmed by fetching its `SubscribeURL`, which must be an `https` URL of "
    "`sns.<region>.amazonaws.com`; this one is not, or fetching it failed. Confirm the subscription in the AWS "
    "console with the token in `detail`, or send it again.",
)
