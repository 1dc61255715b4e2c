"""Looking a sending domain's records up in DNS (dnspython): the DKIM key at its selector, the SPF record.

The resolver is the settings' (DNS_NAMESERVERS on DNS_PORT; the system's when empty), with no cache, so a record
published a moment ago is seen by the next check; tests point it at a DNS server of their own on loopback. A
lookup that fails (no such name, no answer, a timeout, no resolver) is a failed check with its reason, never an
error of the request.
"""

from dataclasses import dataclass

import dns.exception
import dns.resolver
from django.conf import settings

EDNS_PAYLOAD = 1232  # a 2048-bit DKIM record (≈ 420 bytes) fits a UDP answer


@dataclass(frozen=True)
class Check:
    passed: bool
    detail: str

    def as_dict(self) -> dict:
        return {"passed": self.passed, "detail": self.detail}


def _resolver() -> dns.resolver.Resolver:
    if settings.DNS_NAMESERVERS:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = list(settings.DNS_NAMESERVERS)
    else:
        resolver = dns.resolver.Resolver()
    resolver.port = settings.DNS_PORT
    resolver.lifetime = resolver.timeout = settings.DNS_TIMEOUT_SECONDS
    resolver.use_edns(0, 0, EDNS_PAYLOAD)
    return resolver


def txt_records(name: str) -> tuple[list[str], str | None]:
    """The TXT records at ``name``, each one's strings joined; or [] and why none was found."""
    try:
        answer = _resolver().resolve(name, "TXT", search=False)
    except dns.resolver.NXDOMAIN:
        return [], f"{name} does not exist in DNS"
    except dns.resolver.NoAnswer:
        return [], f"{name} has no TXT record"
    except dns.exception.Timeout:
        return [], f"the DNS lookup of {name} timed out"
    except (dns.exception.DNSException, OSError) as exc:  # no nameservers, SERVFAIL, no resolv.conf…
        return [], f"the DNS lookup of {name} failed: {type(exc).__name__}: {exc}"[:300]
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer], None


def tags(record: str) -> dict[str, str]:
    """A DKIM tag list (``v=DKIM1; k=rsa; p=…``), whitespace dropped from values."""
    found = {}
    for item in record.split(";"):
        name, sep, value = item.partition("=")
        if sep:
            found[name.strip()] = "".join(value.split())
    return found


def dkim_check(name: str, public_key: str) -> Check:
    records, failure = txt_records(name)
    if failure:
        return Check(False, failure)
    keys = [tags(record).get("p") for record in records if tags(record).get("v", "DKIM1") == "DKIM1"]
    if public_key in keys:
        return Check(True, f"{name} publishes the key")
    if any(keys):
        return Check(False, f"{name} publishes another key")
    return Check(False, f"{name} has no DKIM record (v=DKIM1; k=rsa; p=…)")


def spf_check(name: str, include: str) -> Check:
    records, failure = txt_records(name)
    if failure:
        return Check(False, failure)
    spf = [record for record in records if record.lower().split(" ", 1)[0] == "v=spf1"]
    if not spf:
        return Check(False, f"{name} has no SPF record (v=spf1 …)")
    if len(spf) > 1:
        return Check(False, f"{name} has {len(spf)} SPF records; a receiver ignores them all (RFC 7208 4.5)")
    if include and f"include:{include.lower()}" not in spf[0].lower().split():
        return Check(False, f"the SPF record of {name} does not include:{include}")
    return Check(True, f"{name} has an SPF record" + (f" including {include}" if include else ""))
