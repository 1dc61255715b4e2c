"""Email addresses: validation (syntax, RFC 5321 lengths, internationalized domains) and identity."""
import hashlib
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254  # RFC 5321 path limit less the angle brackets
MAX_LOCAL_OCTETS = 64  # RFC 5321 section 4.5.3.1.1


class InvalidEmail(ValueError):
    pass


@dataclass(frozen=True)
class Email:
    address: str  # trimmed and lowercased: the form we store and hash
    md5: str


def email_md5(address: str) -> str:
    return hashlib.md5(address.strip().lower().encode("utf-8")).hexdigest()


def normalize_email(raw) -> Email:
    if not isinstance(raw, str):
        raise InvalidEmail("must be a string")
    address = raw.strip().lower()
    if not address:
        raise InvalidEmail("must not be empty")
    if len(address) > MAX_LENGTH:
        raise InvalidEmail(f"must have at most {MAX_LENGTH} characters")
    if len(address.rpartition("@")[0].encode("utf-8")) > MAX_LOCAL_OCTETS:
        raise InvalidEmail(f"must have at most {MAX_LOCAL_OCTETS} octets before the @-sign")
    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise InvalidEmail(f"is not a valid email address: {exc}") from None
    return Email(address=address, md5=email_md5(address))
