"""The public endpoint's rate limits: per IP address and per form, in the same fixed windows as the API keys'
(``api.throttling.window_hit``: Redis when there is one, else the process's cache, so the embedded default
limits too; with Redis configured but unreachable the limit is not enforced, as for the API)."""

import ipaddress
import math

from django.conf import settings

from api.problems import ApiProblem
from api.throttling import window_hit
from signup.problems import SIGNUP_LIMIT

WINDOW = 60


def ip_bucket(ip: str | None) -> str:
    """What one client is: its IPv4 address, or its IPv6 /64 (one host usually has a whole /64 to rotate in)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return "unknown"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _over(key: str, limit: int, what: str) -> None:
    count, left = window_hit(key, WINDOW)
    if count > limit:
        wait = max(1, math.ceil(left))
        raise ApiProblem(
            SIGNUP_LIMIT,
            f"At most {limit} signups a minute {what}; retry in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )


def signup_limit_check(*, form_id: int, ip: str | None) -> None:
    """Count this post; 429.4 with ``Retry-After`` past either limit. Every post counts, a honeypot's and an
    invalid one's too: a bot learns nothing by trying."""
    _over(f"signup:ip:{ip_bucket(ip)}", settings.SIGNUP_POSTS_PER_IP, "from one address")
    _over(f"signup:form:{form_id}", settings.SIGNUP_POSTS_PER_FORM, "to this form")
