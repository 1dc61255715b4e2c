"""The DKIM signer's own parsing and canonicalization against dkimpy's, on awkward input, and its signatures
checked by dkimpy's dkim.verify against the published key (no database: the signer is plain code)."""

import base64
import hashlib
from types import SimpleNamespace

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dkim.canonicalization import Relaxed, Simple

from campaigns.content import compile_campaign
from campaigns.mime import MessageBuilder
from domains import dkim as signing

DOMAIN, SELECTOR = "shop.example.com", "s1"
SIGNED = signing.SIGNED_HEADERS

BLOCKS = {
    "plain": b"From: Ann <ann@shop.example.com>\r\nTo: bob@example.com\r\nSubject: Hello\r\n",
    "whitespace": (
        b"From:   Ann  \t <ann@shop.example.com>   \r\n"  # repeated and trailing whitespace
        b"To:bob@example.com\r\n"  # no space after the colon
        b"Subject: \t \r\n"  # only whitespace
        b"Reply-To:\r\n"  # empty
        b"DATE: Sat, 05 Dec 2026 10:00:00 +0000\r\n"  # the name in capitals
    ),
    "folded": (
        b"From: Ann\r\n <ann@shop.example.com>\r\n"
        b"Subject: a\tfolded\r\n \t subject  line\r\n\tthree \r\n"
        b'Content-Type: multipart/alternative;\r\n\tboundary="=_abc"\r\n'
        b"List-Unsubscribe: <https://mail.example.com/u/x>,\r\n <mailto:u@example.com>\r\n"
    ),
    "non-ascii": (
        b"From: =?utf-8?b?w4lsw6hu?= <ann@shop.example.com>\r\n"
        b"Subject: =?utf-8?b?w6l0w6kgw6AgUGFyaXMsIGxlcyBzb2xkZXMgZCfDqXTDqQ==?=\r\n"
        b" =?utf-8?b?IGNvbW1lbmNlbnQ=?=\r\n"
        b"To: \xc3\xa9l\xc3\xa8ve@example.com\r\n"  # raw UTF-8 (SMTPUTF8)
    ),
    "twice and absent": (  # From signed twice and present twice; Reply-To, Date and more signed but absent
        b"From: First <first@shop.example.com>\r\n"
        b"To: one@example.com\r\n"
        b"Subject: first\r\n"
        b"X-Other: not signed\r\n"
        b"Subject: second\r\n"
        b"To: two@example.com\r\n"
        b"From: Second <second@shop.example.com>\r\n"
    ),
}
BODIES = {
    "empty": b"",
    "one empty line": b"\r\n",
    "empty lines only": b"\r\n\r\n\r\n",
    "no last line end": b"Hello",
    "trailing blank lines": b"Hello\r\n\r\n\r\n",
    "trailing whitespace lines": b"Hello  \r\n \t\r\n\r\n",  # not empty lines for "simple": kept
    "leading blank lines": b"\r\n\r\nHello\r\n",
    "dots and spaces": b".a line with a dot\r\n  two  spaces \r\n..\r\n",
}
NAMES = {
    "ours": SIGNED,
    "twice and absent": (b"from", b"subject", b"subject", b"subject", b"x-missing", b"to", b"from", b"date"),
}


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def dnsfunc(key):
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    records = {f"{SELECTOR}._domainkey.{DOMAIN}.".encode(): b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)}
    return lambda name, timeout=5: records.get(name)


@pytest.fixture(scope="module")
def signer(key):
    return signing.Signer(domain=DOMAIN, selector=SELECTOR, key=key)


def dkimpy_headers(block: bytes):
    headers, _ = dkim.rfc822_parse(block + b"\r\nbody")
    return headers


@pytest.mark.parametrize("block", BLOCKS.values(), ids=BLOCKS.keys())
def test_fields_are_read_as_dkimpy_reads_them(block):
    fields = signing.header_fields(block)
    assert [[name, value + b"\r\n"] for name, value in fields] == dkimpy_headers(block)
    assert signing.header_fields(block[:-2]) == fields  # with or without the block's last CRLF


@pytest.mark.parametrize("block", BLOCKS.values(), ids=BLOCKS.keys())
def test_each_field_is_relaxed_as_dkimpy_relaxes_it(block):
    ours = [signing.relaxed(name, value) for name, value in signing.header_fields(block)]
    assert ours == [name + b":" + value for name, value in Relaxed.canonicalize_headers(dkimpy_headers(block))]


@pytest.mark.parametrize("names", NAMES.values(), ids=NAMES.keys())
@pytest.mark.parametrize("block", BLOCKS.values(), ids=BLOCKS.keys())
def test_the_signed_fields_are_picked_as_dkimpy_picks_them(block, names):
    picked = Relaxed.canonicalize_headers(dkim.select_headers(dkimpy_headers(block), names))
    expected = [name + b":" + value for name, value in picked]
    fields = signing.header_fields(block)
    assert signing.selected(fields, names) == expected
    # The same with the first fields canonicalized beforehand (a builder's fixed headers).
    for cut in range(len(fields) + 1):
        known = signing.canonical_known(fields[:cut], frozenset(names))
        assert signing.selected(fields[cut:], names, known) == expected


def test_twice_and_absent_takes_each_field_once_bottom_up():
    fields = signing.header_fields(BLOCKS["twice and absent"])
    assert signing.selected(fields, NAMES["twice and absent"]) == [
        b"from:Second <second@shop.example.com>\r\n",
        b"subject:second\r\n",
        b"subject:first\r\n",
        b"to:two@example.com\r\n",
        b"from:First <first@shop.example.com>\r\n",
    ]


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_the_body_hash_is_dkimpys(body):
    message = BLOCKS["plain"] + b"\r\n" + body
    expected = base64.b64encode(hashlib.sha256(Simple.canonicalize_body(body)).digest())
    assert signing.body_hash(message, len(BLOCKS["plain"]) + 2) == expected


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("block", BLOCKS.values(), ids=BLOCKS.keys())
def test_every_signature_verifies(signer, dnsfunc, block, body):
    message = block + b"\r\n" + body
    signed = signer.sign(message)
    assert signed.endswith(message) and dkim.verify(signed, dnsfunc=dnsfunc), signed[:1200]
    lines = signed[: -len(message)].split(b"\r\n")
    assert lines[0].startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=shop.example.com;")
    assert max(len(line) for line in lines) <= 78 and lines[-1] == b""


def test_a_message_without_a_body_verifies(signer, dnsfunc):
    for message in (BLOCKS["plain"], BLOCKS["plain"][:-2]):
        assert dkim.verify(signer.sign(message), dnsfunc=dnsfunc)


def test_what_is_signed_cannot_change_or_be_added(signer, dnsfunc):
    message = BLOCKS["twice and absent"] + b"\r\nHello\r\n"
    signed = signer.sign(message)
    assert dkim.verify(signed, dnsfunc=dnsfunc)
    for changed in (
        signed.replace(b"Subject: second", b"Subject: other"),
        signed.replace(b"Hello", b"Hallo"),
        signed + b"more\r\n",
        signed.replace(b"\r\n\r\n", b"\r\nReply-To: x@example.com\r\n\r\n"),  # signed while absent
        signed.replace(b"\r\n\r\n", b"\r\nFrom: third@example.com\r\n\r\n"),  # a third From
    ):
        assert not dkim.verify(changed, dnsfunc=dnsfunc)
    # Whitespace the relaxed header canonicalization ignores, and a header not signed, may change.
    assert dkim.verify(signed.replace(b"Subject: second", b"Subject:   second  "), dnsfunc=dnsfunc)
    assert dkim.verify(signed.replace(b"X-Other: not signed", b"X-Other: changed"), dnsfunc=dnsfunc)


def test_a_prefixed_signer_signs_as_the_signer_does(signer, monkeypatch):
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: 1_800_000_000.5))
    for block in BLOCKS.values():
        message = block + b"\r\nHello\r\n"
        expected = signer.sign(message)
        assert b"t=1800000000;" in expected
        lines = block.split(b"\r\n")
        for cut in range(len(lines)):
            prefix = b"".join(line + b"\r\n" for line in lines[:cut])
            # A prefix whose last field goes on (folded) is taken whole from each message, as is any other.
            assert signer.prefixed(prefix).sign(message) == expected
        other = b"From: someone@example.com\r\n"
        assert signer.prefixed(other).sign(message) == expected


@pytest.mark.parametrize(
    "block",
    [b" folded first\r\n", b"Bad Name: x\r\n", b"NoColon\r\n", b": no name\r\n", b"From: a\n\nTo: b\r\n"],
    ids=["continuation first", "space in a name", "no colon", "no name", "a blank line of bare LFs"],
)
def test_what_dkimpy_would_read_otherwise_is_refused(signer, block):
    with pytest.raises(signing.HeaderError):
        signer.sign(block + b"\r\nbody\r\n")


def test_the_builders_messages_verify(signer, dnsfunc, settings):
    """MessageBuilder's own output, text only and multipart, with a non-ASCII name and subject (encoded words
    on folded lines), a Reply-To, merge values and a line that starts with a dot (dot-stuffed after signing)."""
    settings.PUBLIC_BASE_URL = "https://mail.example.com"
    fields = {"firstname": "firstName"}
    for html in ("", '<p>Hi {{ firstName }}</p>\n.dot\n<a href="https://shop.example.com/x">x</a>'):
        compiled = compile_campaign(
            subject="Ça va, {{ firstName }} ? Les soldes d'été commencent aujourd'hui, et pour tout le monde",
            html_part=html,
            text_part="Hello {{ firstName }}\n.dot\n\n\n",
            preheader="",
            fields=fields,
        )
        builder = MessageBuilder(
            compiled=compiled,
            from_name="Élène's Shop",
            from_email=f"news@{DOMAIN}",
            reply_to=f"help@{DOMAIN}",
            base_url=settings.PUBLIC_BASE_URL,
            preferences=True,
            signer=signer,
        )
        assert builder.signer.known  # the fixed headers, canonicalized once
        for n in range(3):
            data = builder.build(n + 1, f"p{n}@example.com", {"firstName": f"Ånn  {n}"})
            assert b"\r\n..dot" in data
            received = data.replace(b"\r\n..", b"\r\n.")  # what the receiving server makes of it
            assert dkim.verify(received, dnsfunc=dnsfunc), received[:1500]
