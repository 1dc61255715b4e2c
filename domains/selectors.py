"""Sending domains' reads: the rows, whether an address may be sent from, and the signer of its messages."""

import functools

from django.conf import settings

from api.pagination import PageParams, page_slice
from api.problems import NOT_FOUND, ApiProblem
from api.sql import fetch_one
from api.v1 import Collection, Page, Query, Sort, page_of
from domains.dkim import Signer
from domains.keys import private_key
from domains.models import SendingDomain
from domains.problems import SENDER_NOT_VERIFIED


def domain_get(*, account, domain_id: int) -> SendingDomain:
    domain = fetch_one(SendingDomain, "account_id = %s AND id = %s", [account.pk, domain_id])
    if domain is None:
        raise ApiProblem(NOT_FOUND, f"The account has no sending domain {domain_id}.")
    return domain


def domain_page(*, account, params: PageParams) -> tuple[list[SendingDomain], int]:
    rows = SendingDomain.objects.filter(account=account).order_by("id")
    total = rows.count()  # an account has a few domains
    return page_slice(rows, total, params), total


DOMAINS = Collection(
    "domains",
    sorts={"id": Sort("id", kind="int"), "domain": Sort("name"), "createdAt": Sort("created_at", kind="datetime")},
)


def domain_v1_page(*, account, query: Query) -> Page:
    return page_of(SendingDomain.objects.filter(account=account), DOMAINS, query)


def _parents(address: str) -> list[str]:
    """The address's domain and each parent domain of two labels or more, longest first."""
    labels = address.rpartition("@")[2].strip().rstrip(".").lower().split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def sending_domain(*, account_id: int, email: str) -> SendingDomain | None:
    """The verified domain of the account that ``email`` is on (its own domain, or the nearest parent: an
    aligned DKIM signature under DMARC's relaxed alignment), or None."""
    names = _parents(email)
    if not names:
        return None
    found = {
        d.name: d
        for d in SendingDomain.objects.filter(account_id=account_id, name__in=names, verified_at__isnull=False)
    }
    return next((found[name] for name in names if name in found), None)


def sender_errors(*, account_id: int, email: str) -> list[dict]:
    """[] when ``email`` may be a from address of the account now, else the error naming fromEmail."""
    if not email or settings.ALLOW_UNVERIFIED_SENDERS or sending_domain(account_id=account_id, email=email):
        return []
    domain = email.rpartition("@")[2].lower()
    return [{"field": "fromEmail", "detail": f"{domain} is not a verified sending domain of the account"}]


def sender_check(*, account_id: int, email: str) -> None:
    """400.50 naming fromEmail when the account may not send from ``email``."""
    errors = sender_errors(account_id=account_id, email=email)
    if errors:
        raise ApiProblem(
            SENDER_NOT_VERIFIED,
            f"fromEmail: {email} is not on a verified sending domain of the account; add and verify its domain.",
            errors=errors,
        )


@functools.lru_cache(maxsize=128)
def _signer(name: str, selector: str, sealed: str) -> Signer:
    return Signer(domain=name, selector=selector, key=private_key(sealed))


def signer_for(*, account_id: int, from_email: str) -> Signer | None:
    """The DKIM signer of messages from ``from_email``: its verified domain's key, parsed once per process (the
    cache is keyed by the sealed key itself, so a new key is a new entry), or None (not signed)."""
    domain = sending_domain(account_id=account_id, email=from_email)
    if domain is None:
        return None
    return _signer(domain.name, domain.selector, domain.private_key)
