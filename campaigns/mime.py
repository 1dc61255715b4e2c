"""Build a campaign's MIME message once, then each recipient's bytes by substitution.

Python's ``email`` package costs about 2 ms a message. Here everything that does not
change is encoded once per campaign: the fixed headers, and each literal stretch of the
text and HTML parts already in quoted-printable. A recipient costs the quoted-printable
of their few values (merge-tag values, tracking URLs) and a join that puts a soft line
break (``=`` CRLF) wherever a line would pass 76 characters. Quoted-printable allows a
soft break anywhere between encoded characters, so the parts decode to exactly the
rendered text. Lines end with CRLF, and lines starting with "." are dot-stuffed for SMTP.
"""

import base64
import binascii
import html
import time
import uuid
from email.utils import formataddr, formatdate

from campaigns.content import Compiled, crlf, render, value_text
from campaigns.tokens import make_preferences_token, make_tokens

MAX_LINE = 75  # characters before a soft line break's "=" (RFC 2045: lines of at most 76)


def header_value(value: str) -> str:
    value = " ".join(value.split())  # no CR/LF can reach the header block
    if value.isascii() and len(value) <= 900:
        return value
    return encoded_words(value)


def encoded_words(text: str) -> str:
    """RFC 2047 base64 words of at most 45 UTF-8 bytes (72 characters), one per folded line: no header line
    passes SMTP's 998, and a decoder joins adjacent words without the whitespace between them."""
    words, chunk = [], ""
    for character in text:
        if len((chunk + character).encode("utf-8")) > 45:
            words.append(chunk)
            chunk = ""
        chunk += character
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(word.encode('utf-8')).decode()}?=" for word in words)


def address_header(name: str, address: str) -> str:
    name = " ".join(name.split())
    if not name:
        return address
    if name.isascii():
        return formataddr((name, address))
    return f"{encoded_words(name)} <{address}>"


def encoded(text: str) -> tuple[bytes, int, int, bool]:
    """Quoted-printable of ``text`` (CRLF line ends) as a piece to join: (bytes, length of its first line,
    length of its last line, whether it has more than one line)."""
    if "\r" in text or "\n" in text:
        text = crlf(text)
    raw = text.encode("utf-8")
    data = binascii.b2a_qp(raw, istext=True)
    if len(data) <= MAX_LINE and b"\n" not in data:  # the common case: a short value
        return data, len(data), len(data), False
    if b"\n" not in raw:  # without a line end in its input, b2a_qp soft-breaks long lines with a bare LF
        data = data.replace(b"\n", b"\r\n")
    lines = data.split(b"\r\n")
    # b2a_qp can leave a line of 77 (whitespace escaped before a line end); a piece's last line is kept
    # to 75 so that a soft break can follow it.
    if len(lines[-1]) > MAX_LINE or any(len(line) > MAX_LINE + 1 for line in lines):
        lines = [*(part for line in lines[:-1] for part in _wrap(line, MAX_LINE + 1)), *_wrap(lines[-1], MAX_LINE)]
        data = b"\r\n".join(lines)
    return data, len(lines[0]), len(lines[-1]), len(lines) > 1


def _wrap(line: bytes, limit: int):
    """``line`` in lines of at most ``limit``, by soft breaks that do not split an =XX escape."""
    while len(line) > limit:
        cut = limit - 1  # room for the "="
        if line[cut - 1 : cut] == b"=":
            cut -= 1
        elif line[cut - 2 : cut - 1] == b"=":
            cut -= 2
        yield line[:cut] + b"="
        line = line[cut:]
    yield line


def join(pieces) -> bytes:
    """Encoded pieces as one quoted-printable text, soft-breaking where a line would be too long."""
    out, column = [], 0
    for data, first, last, multiline in pieces:
        if not data:
            continue
        if column and column + first > MAX_LINE:
            out.append(b"=\r\n")
            column = 0
        out.append(data)
        column = last if multiline else column + last
    return b"".join(out)


class Part:
    """A text or HTML part: its literals encoded once; its merge tags and URLs named by keys."""

    def __init__(self, segments: list, *, escape: bool):
        self.items: list = []  # an encoded literal (a tuple) or the key (a str) of a per-recipient value
        self.tags: dict[str, tuple[str, str]] = {}  # key → (field name, fallback)
        self.escape = escape
        literal: list[str] = []
        for segment in segments:
            if isinstance(segment, str):
                literal.append(segment)
                continue
            if literal:
                self.items.append(encoded("".join(literal)))
                literal = []
            kind = segment[0]
            if kind == "tag":
                key = f"tag:{segment[1]}|{segment[2]}"
                self.tags[key] = (segment[1], segment[2])
            else:
                key = f"link:{segment[1]}" if kind == "link" else "open"
            self.items.append(key)
        if literal:
            self.items.append(encoded("".join(literal)))

    def build(self, values: dict, urls: dict) -> bytes:
        pieces = dict(urls)
        for key, (name, fallback) in self.tags.items():
            text = value_text(values.get(name)) or fallback
            pieces[key] = encoded(html.escape(text) if self.escape else text)
        return join([pieces[item] if item.__class__ is str else item for item in self.items])


class MessageBuilder:
    """Per campaign: ``build(message_id, to, fields)`` → the message's bytes, ready for SMTP DATA."""

    def __init__(
        self,
        *,
        compiled: Compiled,
        from_name: str,
        from_email: str,
        reply_to: str,
        base_url: str,
        extra_headers: dict | None = None,
        preferences: bool = False,
        signer=None,
    ):
        """``preferences``: a campaign's message, whose ``{{ preferencesUrl }}`` is its preference page (a
        single email's is one of its own values)."""
        self.compiled = compiled
        self.base_url = base_url.rstrip("/")
        self.plain_base = base_url.isascii() and base_url.isprintable() and not any(c in base_url for c in "= ")
        self.domain = from_email.rpartition("@")[2] or "localhost"
        self.boundary = f"=_{uuid.uuid4().hex}"  # "=_" cannot occur in quoted-printable text
        fixed = [f"From: {address_header(from_name, from_email)}"]
        if reply_to:
            fixed.append(f"Reply-To: {reply_to}")
        for name, value in (extra_headers or {}).items():
            fixed.append(f"{name}: {header_value(value)}")
        fixed += ["MIME-Version: 1.0", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]
        self.fixed_headers = "\r\n".join(fixed)
        # A DKIM signer (domains.selectors.signer_for) or None: each message is signed as it is made, before
        # dot-stuffing (a signature covers the message, not its SMTP transparency). Every message starts with the
        # fixed headers: the signer canonicalizes them once.
        self.signer = signer and signer.prefixed(f"{self.fixed_headers}\r\n".encode())
        self.static_subject = (
            header_value(render(compiled.subject, {}, escape=False))
            if all(isinstance(s, str) for s in compiled.subject)
            else None
        )
        self._date, self._date_second = "", -1
        # The positions its HTML shows (an A/B variant's links are numbered among the whole campaign's).
        self.link_positions = sorted(
            {segment[1] for segment in compiled.html if segment.__class__ is list and segment[0] == "link"}
        )
        parts = []
        if compiled.text:
            parts.append((b"text/plain", Part(compiled.text, escape=False)))
        if compiled.html:
            parts.append((b"text/html", Part(compiled.html, escape=True)))
        self.parts = parts
        # Its token costs an HMAC per message: made only when the content shows the link.
        self.preferences = preferences and any(
            segment[0] == "tag" and segment[1] == "preferencesUrl"
            for segments in (compiled.subject, compiled.text, compiled.html)
            for segment in segments
            if segment.__class__ is not str
        )
        self.part_header = b"; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"

    def urls(self, token: str) -> dict:
        """The tracking URLs of a message, encoded as pieces (by the keys of ``Part``)."""
        base = self.base_url
        urls = {f"link:{n}": f"{base}/t/c/{token}/{n}" for n in self.link_positions}
        urls["open"] = f"{base}/t/o/{token}"
        for key, url in urls.items():
            # A token is letters, digits, ".", "-" and "_": with a plain base URL, the URL is its own
            # quoted-printable.
            urls[key] = (
                (url.encode(), len(url), len(url), False) if self.plain_base and len(url) <= MAX_LINE else encoded(url)
            )
        return urls

    def date(self) -> str:
        second = int(time.time())
        if second != self._date_second:
            self._date, self._date_second = formatdate(second, usegmt=True), second
        return self._date

    def build(self, message_id: int, to_email: str, fields: dict) -> bytes:
        preferences = make_preferences_token(message_id) if self.preferences else None
        return self.build_tokens(*make_tokens(message_id), to_email, fields, preferences)

    def build_tokens(
        self, token: str, message_id_token: str, to_email: str, fields: dict, preferences_token: str | None = None
    ) -> bytes:
        """A message whose links carry ``token`` and whose preference page ``preferences_token`` (a test send's
        are a preview's: campaigns/preview.py)."""
        unsubscribe = f"{self.base_url}/u/{token}"
        values = {**fields, "emailAddress": to_email, "unsubscribeUrl": unsubscribe}
        if preferences_token is not None:
            values["preferencesUrl"] = f"{self.base_url}/p/{preferences_token}"
        subject = self.static_subject or header_value(render(self.compiled.subject, values, escape=False))
        head = (
            f"{self.fixed_headers}\r\nTo: {to_email}\r\nSubject: {subject}\r\nDate: {self.date()}\r\n"
            # its own token, which opens no link: a bounce quoting it is matched (tokens.read_message_id_header)
            f"Message-ID: <{message_id_token}@{self.domain}>\r\n"
            f"List-Unsubscribe: <{unsubscribe}>\r\n"
        )
        urls = self.urls(token) if self.compiled.html else {}
        parts = [(kind, part.build(values, urls)) for kind, part in self.parts]
        data = head.encode("utf-8") + self._body(parts)
        if self.signer is not None:
            data = self.signer.sign(data)
        return data.replace(b"\n.", b"\n..")

    def _body(self, parts) -> bytes:
        if len(parts) == 1:
            kind, data = parts[0]
            return b"Content-Type: " + kind + self.part_header + data + b"\r\n"
        boundary = self.boundary.encode()
        out = [b'Content-Type: multipart/alternative; boundary="' + boundary + b'"\r\n\r\n']
        for kind, data in parts:
            out += [b"--", boundary, b"\r\nContent-Type: ", kind, self.part_header, data, b"\r\n"]
        out += [b"--", boundary, b"--\r\n"]
        return b"".join(out)
