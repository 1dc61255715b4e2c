"""The email service providers the server can send through instead of SMTP (EMAIL_PROVIDER), by django-anymail.

Each provider's credentials are anymail's own settings, given as ``ANYMAIL_<NAME>`` variables (``ANYMAIL_POSTMARK_
SERVER_TOKEN`` is anymail's ``POSTMARK_SERVER_TOKEN``). Start-up refuses a provider whose credentials are missing,
naming the variable, rather than failing every send later.
"""

import importlib.util
import json
import os
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

PREFIX = "ANYMAIL_"


@dataclass(frozen=True)
class Provider:
    backend: str  # the anymail EmailBackend
    required: tuple[str, ...] = ()  # anymail settings it cannot send without
    module: str = ""  # a package it needs beyond anymail


PROVIDERS = {
    "amazon_ses": Provider("anymail.backends.amazon_ses.EmailBackend", module="boto3"),
    "brevo": Provider("anymail.backends.brevo.EmailBackend", ("BREVO_API_KEY",)),
    "mailgun": Provider("anymail.backends.mailgun.EmailBackend", ("MAILGUN_API_KEY",)),
    "mailjet": Provider("anymail.backends.mailjet.EmailBackend", ("MAILJET_API_KEY", "MAILJET_SECRET_KEY")),
    "postmark": Provider("anymail.backends.postmark.EmailBackend", ("POSTMARK_SERVER_TOKEN",)),
    "sendgrid": Provider("anymail.backends.sendgrid.EmailBackend", ("SENDGRID_API_KEY",)),
    "sparkpost": Provider("anymail.backends.sparkpost.EmailBackend", ("SPARKPOST_API_KEY",)),
    # anymail's test backend: messages kept in django.core.mail.outbox of the process (tests and trials)
    "test": Provider("anymail.backends.test.EmailBackend"),
}
BACKENDS = {name: provider.backend for name, provider in PROVIDERS.items()}


def _value(name: str, raw: str):
    """JSON for an object or array (AMAZON_SES_CLIENT_PARAMS, SEND_DEFAULTS), true/false for a flag, a
    comma-separated list for WEBHOOK_SECRET (several user:password pairs while one is rotated), else the text."""
    text = raw.strip()
    if text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{PREFIX}{name} is not valid JSON ({exc})") from None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if name == "WEBHOOK_SECRET":
        secrets = [item.strip() for item in text.split(",") if item.strip()]
        if any(":" not in secret for secret in secrets):
            raise ImproperlyConfigured(f"{PREFIX}WEBHOOK_SECRET must be user:password pairs, comma-separated")
        return secrets
    return text


def env_anymail() -> dict:
    """anymail's settings from every ``ANYMAIL_<NAME>`` variable (an empty one is unset)."""
    return {
        name[len(PREFIX) :]: _value(name[len(PREFIX) :], raw)
        for name, raw in sorted(os.environ.items())
        if name.startswith(PREFIX) and len(name) > len(PREFIX) and raw.strip()
    }


def provider_check(name: str, anymail: dict) -> None:
    """A provider whose credentials or package are missing stops start-up, naming what to set."""
    provider = PROVIDERS.get(name)
    if provider is None:
        return
    missing = [f"{PREFIX}{key}" for key in provider.required if not anymail.get(key)]
    if missing:
        raise ImproperlyConfigured(f"EMAIL_PROVIDER={name} needs {' and '.join(missing)}")
    if provider.module and importlib.util.find_spec(provider.module) is None:
        raise ImproperlyConfigured(
            f"EMAIL_PROVIDER={name} needs the {provider.module} package (pip install 'django-anymail[amazon-ses]')"
        )
