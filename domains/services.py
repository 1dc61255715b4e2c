"""Sending domains' writes: add one (its key pair made here), verify it against DNS, delete it."""

import re

import idna
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.audit import record
from api.problems import VALIDATION_ERROR, ApiProblem
from domains import dns
from domains.keys import key_pair
from domains.models import SendingDomain
from domains.records import dkim_name, new_selector
from lists.problems import DUPLICATED_NAME

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def domain_name(value: str) -> str:
    """``value`` as a host name to send from: lowercase A-labels (IDNA), no trailing dot; 400.2 naming
    ``domain`` when it is none (an IP address, one label, a label too long or with other characters)."""
    text = value.strip().rstrip(".").lower()
    try:
        name = idna.encode(text, uts46=True).decode("ascii") if text and not text.isascii() else text
    except idna.IDNAError:
        name = ""
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ApiProblem(
            VALIDATION_ERROR,
            f"domain: {value!r} is not a host name to send from (such as example.com or mail.example.com).",
            errors=[{"field": "domain", "detail": "must be a host name such as example.com"}],
        )
    return name


def _duplicated(name: str) -> ApiProblem:
    return ApiProblem(DUPLICATED_NAME, f"The account already has the sending domain {name}.")


def _recorded(domain: SendingDomain, verb: str, **details) -> SendingDomain:
    record(
        account_id=domain.account_id,
        action=f"domain.{verb}",
        object_type="domain",
        object_id=domain.pk,
        details={"name": domain.name, **details},
    )
    return domain


def domain_create(*, account, name: str) -> SendingDomain:
    """A new domain with a new RSA 2048 key pair and a random selector: unverified until its DKIM record is
    found (400.38 when the account has it already)."""
    name = domain_name(name)
    if SendingDomain.objects.filter(account=account, name=name).exists():
        raise _duplicated(name)
    keys = key_pair()  # ≈ 0.1 s of CPU: made before the transaction, which then holds no lock while it runs
    try:
        with transaction.atomic():
            domain = SendingDomain.objects.create(
                account=account,
                name=name,
                selector=new_selector(),
                private_key=keys.sealed_private,
                public_key=keys.public,
            )
            return _recorded(domain, "create")
    except IntegrityError:  # a concurrent request added it
        raise _duplicated(name) from None


def domain_verify(*, domain: SendingDomain) -> SendingDomain:
    """Look the domain's records up (domains/dns.py) and record what passed, and when. Verified while the DKIM
    record publishes the domain's key; SPF is reported, not required (it is about the relay, not about who owns
    the domain). The lookups run outside any transaction: a slow resolver holds no row."""
    dkim = dns.dkim_check(dkim_name(domain), domain.public_key)
    spf = dns.spf_check(domain.name, settings.SPF_INCLUDE)
    now = timezone.now()
    with transaction.atomic():
        current = SendingDomain.objects.select_for_update().filter(pk=domain.pk).first()
        if current is None:
            return domain  # deleted meanwhile: what was found is shown, nothing stored
        current.checks = {"dkim": dkim.as_dict(), "spf": spf.as_dict()}
        current.checked_at = now
        if not dkim.passed:
            current.verified_at = None
        elif current.verified_at is None:
            current.verified_at = now
        current.save(update_fields=["checks", "checked_at", "verified_at"])
        _recorded(current, "verify", verified=current.verified_at is not None)
    return current


@transaction.atomic
def domain_delete(*, domain: SendingDomain) -> None:
    """Its key goes with it: messages from it are no longer signed (nor taken, unless ALLOW_UNVERIFIED_SENDERS)."""
    SendingDomain.objects.filter(pk=domain.pk).delete()
    _recorded(domain, "delete")
