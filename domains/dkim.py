"""DKIM signatures (RFC 6376, c=relaxed/simple, rsa-sha256) on the bytes a message builder made, one per message.

A message's signature covers its body and its headers, which differ per recipient (To, the tracking links, the
unsubscribe URL), so each message is signed on its own. The RSA operation (OpenSSL's, through `cryptography`:
about 250 µs for a 2048-bit key) is most of the cost and cannot be shared; everything else is made cheap here:

- the private key is parsed once per signer (a campaign's sender keeps one; single emails share a process-wide
  cache, domains/selectors.py), and the signature header's constant tags, folded and canonicalized, once too;
- only the header block is read, not the whole message, and only the signed fields are canonicalized (relaxed);
  the fields of a header prefix that every message of a builder shares (``Signer.prefixed``: From, Reply-To,
  MIME-Version, List-Unsubscribe-Post) are canonicalized once per builder;
- the body is hashed as it is (simple: only its trailing empty lines dropped), in one ``hashlib.sha256`` call.

The parsing and canonicalization follow dkimpy's (`dkim.rfc822_parse`, `dkim.select_headers`,
`dkim.canonicalization.Relaxed` and `Simple`) so that `dkim.verify` checks every signature;
tests/domains/test_dkim.py compares them on awkward input.
"""

import base64
import hashlib
import re
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# What a receiver must see unchanged (RFC 6376 5.4.1, and Gmail's rule that List-Unsubscribe and
# List-Unsubscribe-Post be signed). A header signed but absent cannot be added on the way; From is named twice
# so that no second From can be added either.
SIGNED_HEADERS = (
    b"from",
    b"reply-to",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
    b"content-transfer-encoding",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"from",
)
SIGNED = frozenset(SIGNED_HEADERS)
PKCS1, SHA256 = padding.PKCS1v15(), hashes.SHA256()
LINES = re.compile(rb"\r?\n")  # dkimpy's line ends: a bare LF ends a line too
FIELD_NAME = bytes(range(0x21, 0x7F))  # a field name's bytes: printable US-ASCII (dkimpy's parser takes these)
WSP = re.compile(rb"[\t ]+")
B64_LINE = 72  # characters of the signature on each folded line of b=


class HeaderError(ValueError):
    """The bytes do not start with a header block dkimpy (or a receiver) would read as ours."""


def header_fields(block: bytes) -> list[list[bytes]]:
    """``block``'s fields as dkimpy's rfc822_parse reads them: [name, value], the value as it follows the colon
    up to the field's end, its folded lines joined by CRLF (dkimpy's value is this and a CRLF). ``block`` stops
    before the blank line."""
    fields: list[list[bytes]] = []
    lines = LINES.split(block) if block.count(b"\n") != block.count(b"\r\n") else block.split(b"\r\n")
    if not lines[-1]:
        lines.pop()  # the block's own last CRLF
    for line in lines:
        if not line:  # where dkimpy would see the body start
            raise HeaderError("an empty line in the header block")
        if line[0] in (9, 32):  # a folded field's next line
            if not fields:
                raise HeaderError("the header block starts with a continuation line")
            fields[-1][1] += b"\r\n" + line
            continue
        name, colon, value = line.partition(b":")
        if not colon or not name or name.translate(None, FIELD_NAME):
            raise HeaderError(f"not a header field: {line[:80]!r}")
        fields.append([name, value])
    return fields


def relaxed(name: bytes, value: bytes) -> bytes:
    """One field relaxed-canonicalized (RFC 6376 3.4.2), ending with CRLF, as dkimpy's Relaxed does it: the name
    lowercased, the value unfolded, runs of spaces and tabs made one space, and trimmed."""
    if b"\n" in value:  # dkimpy's sub of \r?\n: the CRLFs first, then any bare LF
        value = value.replace(b"\r\n", b"").replace(b"\n", b"")
    if b"\t" in value or b"  " in value:
        value = WSP.sub(b" ", value)
    return name.lower().rstrip() + b":" + value.strip() + b"\r\n"


def canonical_known(fields, wanted=SIGNED) -> list[tuple[bytes, bytes]]:
    """(lowercased name, relaxed form) of the ``fields`` that may be signed: what ``selected`` takes as known."""
    return [(name.lower(), relaxed(name, value)) for name, value in fields if name.lower() in wanted]


def selected(fields, names=SIGNED_HEADERS, known=()) -> list[bytes]:
    """The relaxed form of the fields ``names`` signs, in its order, as dkimpy's select_headers picks them: each
    name takes the last of its fields not taken yet, bottom up; a name with no field left takes nothing.
    ``known``: canonical_known of the fields above ``fields`` (a header prefix that every message shares)."""
    wanted = SIGNED if names is SIGNED_HEADERS else frozenset(names)
    found: dict[bytes, list] = {}
    for name, canonical in known:
        found.setdefault(name, []).append(canonical)
    for field in fields:
        name = field[0].lower()
        if name in wanted:
            found.setdefault(name, []).append(field)
    out = []
    for name in names:
        candidates = found.get(name)
        if candidates:
            field = candidates.pop()
            out.append(field if field.__class__ is bytes else relaxed(field[0], field[1]))
    return out


def body_hash(message: bytes, start: int) -> bytes:
    """Base64 SHA-256 of ``message[start:]``, the body, canonicalized simple (RFC 6376 3.4.3): its trailing
    empty lines dropped, and a CRLF at its end (an empty body is one CRLF)."""
    stop = len(message)
    while stop - 2 >= start and message.endswith(b"\r\n", start, stop):
        stop -= 2
    digest = hashlib.sha256(memoryview(message)[start:stop])
    digest.update(b"\r\n")
    return base64.b64encode(digest.digest())


class Signer:
    """Signs messages as ``domain`` with the key published at ``selector``._domainkey.``domain``."""

    def __init__(self, *, domain: str, selector: str, key: rsa.RSAPrivateKey):
        self.domain, self.selector, self.key = domain, selector, key
        # The signature header, folded a few tags a line; its relaxed form is the same text with each CRLF gone.
        # t=, bh= and b= are each message's own.
        self.head = b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=%s;\r\n s=%s; t=" % (
            domain.encode("ascii"),
            selector.encode("ascii"),
        )
        groups = SIGNED_HEADERS[:6], SIGNED_HEADERS[6:9], SIGNED_HEADERS[9:]
        self.middle = b";\r\n h=" + b":\r\n ".join(b":".join(group) for group in groups) + b";\r\n bh="
        self.canonical_head = relaxed(*header_fields(self.head)[0])[:-2]
        self.canonical_middle = self.middle.replace(b"\r\n", b"")
        self.prefix, self.known = b"", []

    def prefixed(self, prefix: bytes) -> "Signer":
        """This signer for messages that all start with ``prefix`` (whole header fields, each ended by CRLF): its
        fields are parsed and canonicalized once, here; a message that does not start with it is read whole."""
        signer = Signer.__new__(Signer)
        signer.__dict__.update(self.__dict__)
        if prefix.endswith(b"\r\n") and b"\r\n\r\n" not in prefix and not prefix.startswith(b"\r\n"):
            signer.prefix, signer.known = prefix, canonical_known(header_fields(prefix))
        return signer

    def sign(self, message: bytes) -> bytes:
        """``message`` (headers, a blank line, the body; CRLF line ends; not dot-stuffed) with its DKIM-Signature
        header first."""
        end = message.find(b"\r\n\r\n")
        if end < 0:  # no body
            end = len(message)
        skip = len(self.prefix)
        # The prefix's last field must end with it (the message's next line is no continuation of it).
        if skip and skip <= end + 2 and message.startswith(self.prefix) and message[skip : skip + 1] not in b" \t":
            hashed = selected(header_fields(message[skip:end]), known=self.known)
        else:
            hashed = selected(header_fields(message[:end]))
        stamp = str(int(time.time())).encode("ascii")
        bh = body_hash(message, min(end + 4, len(message)))
        hashed.append(self.canonical_head + stamp + self.canonical_middle + bh + b"; b=")
        signature = base64.b64encode(self.key.sign(b"".join(hashed), PKCS1, SHA256))
        folded = b"\r\n ".join(signature[i : i + B64_LINE] for i in range(0, len(signature), B64_LINE))
        return b"".join((self.head, stamp, self.middle, bh, b";\r\n b=", folded, b"\r\n", message))
