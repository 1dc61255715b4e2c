"""Email addresses: validation (syntax, RFC 5321 lengths, internationalized domains) and identity.

Most addresses are plain ASCII dot-atoms: a compiled pattern checks those in about
a microsecond. Anything else (internationalized, quoted, unusual) goes through
email-validator, which takes about 40 µs: an import of a million rows cannot
afford it for every row.
"""

import hashlib
import re
from typing import NamedTuple

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

MAX_LENGTH = 254  # RFC 5321 path limit less the angle brackets
MAX_LOCAL_OCTETS = 64  # RFC 5321 section 4.5.3.1.1
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[a-z]{{2,63}}")
_SPECIAL_DOMAINS = frozenset(SPECIAL_USE_DOMAIN_NAMES)
# The special-use names are single labels today (test, localhost, …): then the last label decides in one lookup.
_SPECIAL_LABELS_ONLY = all("." not in name for name in _SPECIAL_DOMAINS)


class InvalidEmail(ValueError):
    pass


class Email(NamedTuple):  # a tuple: built once per imported row, a frozen dataclass costs four times as much
    address: str  # trimmed and lowercased: the form we store and hash
    md5: str


def email_md5(address: str) -> str:
    return hashlib.md5(address.strip().lower().encode("utf-8")).hexdigest()


def _is_plain(address: str) -> bool:
    if not PLAIN_ADDRESS.fullmatch(address):
        return False
    domain = address.rpartition("@")[2]
    if "--" in domain:  # labels like "xn--…" are Punycode rules: the full validator decides
        return False
    if _SPECIAL_LABELS_ONLY:
        return domain.rpartition(".")[2] not in _SPECIAL_DOMAINS
    labels = domain.split(".")
    return not any(".".join(labels[i:]) in _SPECIAL_DOMAINS for i in range(len(labels)))


def normalize_email(raw) -> Email:
    if not isinstance(raw, str):
        raise InvalidEmail("must be a string")
    address = raw.strip().lower()
    if not address:
        raise InvalidEmail("must not be empty")
    if len(address) > MAX_LENGTH:
        raise InvalidEmail(f"must have at most {MAX_LENGTH} characters")
    local = address.rpartition("@")[0]
    if len(local) > MAX_LOCAL_OCTETS or (not local.isascii() and len(local.encode("utf-8")) > MAX_LOCAL_OCTETS):
        raise InvalidEmail(f"must have at most {MAX_LOCAL_OCTETS} octets before the @-sign")
    if not _is_plain(address):
        try:
            validate_email(address, check_deliverability=False, allow_smtputf8=True)
        except EmailNotValidError as exc:
            raise InvalidEmail(f"is not a valid email address: {exc}") from None
    return Email(address=address, md5=hashlib.md5(address.encode("utf-8")).hexdigest())
