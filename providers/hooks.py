"""The providers' event webhooks: anymail's tracking views, with each provider's authentication checked in our
terms (problem+json) and a webhook off until something authenticates it.

Every provider's webhook takes anymail's HTTP Basic authentication, ``ANYMAIL_WEBHOOK_SECRET`` (``user:password``
pairs); those that sign their events are checked as anymail does (Mailgun's webhook signing key, SendGrid's
verification key), and Amazon SNS's signature (Amazon SES), which anymail leaves unchecked, is checked here
(providers/sns.py). A webhook with no way to authenticate its posts is off (404): anyone could otherwise bounce or
unsubscribe anyone. Amazon SES needs the secret even with SNS's signature: SNS signs any topic's messages, and only
the secret says the topic is ours (anymail's own reasoning).
"""

import logging
import warnings
from dataclasses import dataclass

from anymail.exceptions import AnymailError, AnymailNotSupportedWarning, AnymailWebhookValidationFailure
from anymail.utils import get_anymail_setting
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.base import AnymailBaseWebhookView, AnymailBasicAuthMixin
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.mailjet import MailjetTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from anymail.webhooks.sparkpost import SparkPostTrackingWebhookView
from django.core.exceptions import ImproperlyConfigured

from api.problems import NOT_FOUND, ApiProblem
from providers import sns
from providers.problems import (
    PROVIDER_EVENT_INVALID,
    PROVIDER_SIGNATURE_INVALID,
    PROVIDER_WEBHOOK_UNAUTHENTICATED,
    SNS_SUBSCRIPTION_REFUSED,
)

logger = logging.getLogger("providers")
MALFORMED = (AnymailError, ImproperlyConfigured, ValueError, KeyError, TypeError, AttributeError, IndexError)


class Checked:
    """Mixed into an anymail tracking view: ``receive`` runs its checks and parses its events, each failure one of
    our problems (anymail's own view answers a bare 400 for all of them)."""

    def receive(self, request) -> list:
        if self.basic_auth:
            try:
                AnymailBasicAuthMixin.validate_request(self, request)
            except AnymailWebhookValidationFailure:
                raise ApiProblem(
                    PROVIDER_WEBHOOK_UNAUTHENTICATED,
                    f"Send one of ANYMAIL_WEBHOOK_SECRET's user:password pairs by HTTP Basic authentication "
                    f"(in the webhook URL given to {self.esp_name}).",
                    headers={"WWW-Authenticate": 'Basic realm="provider-webhooks"'},
                ) from None
        for validator in self.validators:
            if validator is AnymailBasicAuthMixin.validate_request:
                continue
            try:
                validator(self, request)
            except AnymailWebhookValidationFailure as exc:
                raise ApiProblem(PROVIDER_SIGNATURE_INVALID, f"{self.esp_name}: {exc}"[:500]) from None
            except MALFORMED as exc:
                raise _malformed(self.esp_name, exc) from None
        try:
            return self.parse_events(request)
        except sns.SubscriptionRefused as exc:
            raise ApiProblem(SNS_SUBSCRIPTION_REFUSED, f"Amazon SNS subscription not confirmed: {exc}") from None
        except MALFORMED as exc:
            raise _malformed(self.esp_name, exc) from None


def _malformed(esp_name: str, exc: Exception) -> ApiProblem:
    said = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ApiProblem(PROVIDER_EVENT_INVALID, f"Not a {esp_name} event as its webhook sends them: {said}"[:500])


class AmazonSES(Checked, AmazonSESTrackingWebhookView):
    def __init__(self, **kwargs):
        # anymail's asks boto3 for its parameters (for S3 and for confirming subscriptions): neither is needed here.
        self.auto_confirm_enabled = get_anymail_setting(
            "auto_confirm_sns_subscriptions", esp_name=self.esp_name, kwargs=kwargs, default=True
        )
        self.session_params, self.client_params = {}, {}
        AnymailBaseWebhookView.__init__(self, **kwargs)

    def validate_request(self, request):
        try:
            sns.verify(self._parse_sns_message(request))
        except sns.SignatureError as exc:
            raise AnymailWebhookValidationFailure(f"Amazon SNS signature: {exc}") from None

    def auto_confirm_sns_subscription(self, sns_message):
        if self.auto_confirm_enabled:
            sns.confirm(sns_message)
        else:
            logger.warning(
                "Amazon SNS subscription to %s waits for its confirmation in the AWS console (token %s)",
                str(sns_message.get("TopicArn"))[:200],
                str(sns_message.get("Token"))[:400],
            )


class Brevo(Checked, BrevoTrackingWebhookView):
    pass


class Mailgun(Checked, MailgunTrackingWebhookView):
    pass


class Mailjet(Checked, MailjetTrackingWebhookView):
    pass


class Postmark(Checked, PostmarkTrackingWebhookView):
    pass


class SendGrid(Checked, SendGridTrackingWebhookView):
    pass


class SparkPost(Checked, SparkPostTrackingWebhookView):
    pass


@dataclass(frozen=True)
class Hook:
    view: type
    keys: tuple[str, ...] = ()  # anymail settings that sign its events (any one of them)
    needs: str = "secret"  # what turns it on: the secret, a signing key, or either


HOOKS = {
    "amazon_ses": Hook(AmazonSES),
    "brevo": Hook(Brevo),
    "mailgun": Hook(Mailgun, ("MAILGUN_WEBHOOK_SIGNING_KEY", "MAILGUN_API_KEY"), needs="key"),
    "mailjet": Hook(Mailjet),
    "postmark": Hook(Postmark),
    "sendgrid": Hook(SendGrid, ("SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY",), needs="either"),
    "sparkpost": Hook(SparkPost),
}


def _set(name: str) -> bool:
    return bool(get_anymail_setting(name.lower(), default=None))


def hook_for(provider: str):
    """The webhook view of ``provider``, ready to ``receive``; 404 for no such provider, or one turned off."""
    hook = HOOKS.get(provider)
    if hook is None:
        raise ApiProblem(NOT_FOUND, f"No provider webhook is called {provider[:50]!r}: one of {', '.join(HOOKS)}.")
    secret, key = _set("WEBHOOK_SECRET"), any(_set(name) for name in hook.keys)
    if not {"secret": secret, "key": key, "either": secret or key}[hook.needs]:
        wanted = (["WEBHOOK_SECRET"] if hook.needs != "key" else []) + list(hook.keys[:1])
        needed = " or ".join(f"ANYMAIL_{name}" for name in wanted)
        raise ApiProblem(NOT_FOUND, f"The {provider} webhook is off: set {needed} to turn it on.")
    with warnings.catch_warnings():
        # anymail says on every SendGrid view that it no longer tests SendGrid (the README says it once).
        warnings.simplefilter("ignore", AnymailNotSupportedWarning)
        return hook.view()
