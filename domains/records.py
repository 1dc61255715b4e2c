"""The DNS records a sending domain asks for, as its representation and the back office show them."""

import secrets

from django.conf import settings

from domains.models import SendingDomain


def new_selector() -> str:
    """``em`` and 8 random hex digits: a new key never reuses a name a resolver may have cached."""
    return f"em{secrets.token_hex(4)}"


def dkim_name(domain: SendingDomain) -> str:
    return f"{domain.selector}._domainkey.{domain.name}"


def dkim_value(domain: SendingDomain) -> str:
    return f"v=DKIM1; k=rsa; p={domain.public_key}"


def spf_value() -> str:
    mechanism = f"include:{settings.SPF_INCLUDE}" if settings.SPF_INCLUDE else "mx"
    return f"v=spf1 {mechanism} ~all"


def records(domain: SendingDomain) -> list[dict]:
    """Each record to publish: purpose, type, name, value, and what the last check found (``check``: passed,
    failed or unchecked; ``detail``)."""
    rows = [("dkim", dkim_name(domain), dkim_value(domain)), ("spf", domain.name, spf_value())]
    out = []
    for purpose, name, value in rows:
        last = domain.checks.get(purpose)
        out.append(
            {
                "purpose": purpose,
                "type": "TXT",
                "name": name,
                "value": value,
                "check": "unchecked" if last is None else ("passed" if last["passed"] else "failed"),
                "detail": None if last is None else last["detail"],
            }
        )
    return out
