"""Campaign content: merge tags, link rewriting, the open pixel, and per-recipient rendering.

Merge tags are ``{{ name }}`` or ``{{ name | fallback }}``: ``name`` is one of the
account's fields (case-insensitive) or ``emailAddress``, ``unsubscribeUrl`` or ``preferencesUrl`` (the
recipient's preference page: campaigns only; a single email fills it from its own values). In the
HTML part values are HTML-escaped; a missing or empty value gives the fallback ("" if none).

Compiling turns a template into segments: literal strings and ``[kind, …]`` lists
(``["tag", name, fallback]``, ``["link", position]``, ``["open"]``), JSON-storable, so
a campaign's content is compiled once, when it starts, and rendered per recipient
by joining strings.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

TAG = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]{0,49})\s*(?:\|([^{}]*))?\}\}")
OPEN_BRACES = re.compile(r"\{\{")
# A link target may hold merge tags, with spaces inside them ({{ emailAddress }}); each character has one way to match.
# An <a …> tag stops at the next "<" or ">", so finding them all is linear in the HTML's length; the href is
# then looked for inside the tag. A target may hold merge tags, with spaces inside them ({{ emailAddress }}).
ANCHOR = re.compile(r"<a\b[^<>]*>", re.IGNORECASE)
HREF = re.compile(r"""\bhref\s*=\s*(["'])(https?://(?:\{\{[^{}"'<>]*\}\}|\{(?!\{)|[^"'\s<>{])+)\1""", re.IGNORECASE)
BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
BODY_START = re.compile(r"<body\b[^<>]*>", re.IGNORECASE)
BUILTINS = {"emailaddress": "emailAddress", "unsubscribeurl": "unsubscribeUrl", "preferencesurl": "preferencesUrl"}
# A single email belongs to no list, so it has no preference page: its {{ preferencesUrl }} is one of its values.
SINGLE_BUILTINS = {key: name for key, name in BUILTINS.items() if name != "preferencesUrl"}


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Compiled:
    subject: list
    text: list
    html: list
    links: list[str]  # link targets, by position (may hold merge tags themselves)


def fallback_text(raw: str | None) -> str:
    if raw is None:
        return ""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        raw = raw[1:-1]
    return raw


def parse(template: str, fields: dict[str, str], *, where: str, builtins: dict[str, str] = BUILTINS) -> list:
    """Segments of ``template``; ``fields`` maps lowercased field names to their names."""
    segments, position = [], 0
    for match in TAG.finditer(template):
        stray = OPEN_BRACES.search(template, position, match.start())
        if stray:
            raise TemplateError(f"{where}: malformed merge tag at character {stray.start() + 1}")
        name = match.group(1)
        canonical = builtins.get(name.lower()) or fields.get(name.lower())
        if canonical is None:
            raise TemplateError(f"{where}: unknown field '{name}' in merge tag {match.group(0)}")
        if match.start() > position:
            segments.append(template[position : match.start()])
        segments.append(["tag", canonical, fallback_text(match.group(2))])
        position = match.end()
    stray = OPEN_BRACES.search(template, position)
    if stray:
        raise TemplateError(f"{where}: malformed merge tag at character {stray.start() + 1}")
    if position < len(template):
        segments.append(template[position:])
    return segments


def check(*, subject: str, html_part: str, text_part: str, fields: dict[str, str], preheader: str = "") -> list[dict]:
    """Template errors as validation entries (empty when all parse)."""
    errors = []
    for where, template in (("subject", subject), ("preheader", preheader), ("html", html_part), ("text", text_part)):
        try:
            parse(template, fields, where=where)
        except TemplateError as exc:
            errors.append({"field": where, "detail": str(exc).removeprefix(f"{where}: ")})
    # A host taken from a subscriber's field would let a tracked link redirect anywhere.
    errors.extend(
        {"field": "html", "detail": f"a merge tag cannot be in a link's host: {target[:200]}"}
        for target in link_targets(html_part)
        if "{{" in target.split("://", 1)[1].split("/", 1)[0]
    )
    return errors


def link_targets(source: str):
    for tag in ANCHOR.finditer(source):
        match = HREF.search(source, tag.start(), tag.end())
        if match:
            yield html.unescape(match.group(2))


def _html_segments(source: str, preheader: str, fields: dict, links: list[str], builtins: dict) -> list:
    """The HTML with its links rewritten to numbered tracked links, the preheader and the open pixel."""
    if preheader:
        hidden = (
            f'<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">{_escape_literals(preheader)}</div>'
        )
        start = BODY_START.search(source)
        source = source[: start.end()] + hidden + source[start.end() :] if start else hidden + source
    pieces, position, numbered = [], 0, {}
    for tag in ANCHOR.finditer(source):
        match = HREF.search(source, tag.start(), tag.end())
        if match is None:
            continue
        target = html.unescape(match.group(2))
        if target not in numbered:
            numbered[target] = len(links)
            links.append(target)
        pieces.append(source[position : match.start(2)])
        pieces.append(["link", numbered[target]])
        position = match.end(2)
    pieces.append(source[position:])
    segments = []
    for piece in pieces:
        if isinstance(piece, list):
            segments.append(piece)
        elif piece:
            segments.extend(parse(piece, fields, where="html", builtins=builtins))
    pixel = ['<img src="', ["open"], '" width="1" height="1" alt="" style="display:none">']
    end = _last_body_end(segments)
    if end is None:
        return segments + pixel if segments else []
    index, offset = end
    before, after = segments[index][:offset], segments[index][offset:]
    return [*segments[:index], *([before] if before else []), *pixel, after, *segments[index + 1 :]]


def _escape_literals(template: str) -> str:
    """HTML-escape the text around merge tags; the tags stay as written (their values are escaped when rendered)."""
    out, position = [], 0
    for match in TAG.finditer(template):
        out += [html.escape(template[position : match.start()]), match.group(0)]
        position = match.end()
    return "".join(out) + html.escape(template[position:])


def _last_body_end(segments: list):
    for index in range(len(segments) - 1, -1, -1):
        if isinstance(segments[index], str):
            matches = list(BODY_END.finditer(segments[index]))
            if matches:
                return index, matches[-1].start()
    return None


def compile_campaign(
    *,
    subject: str,
    html_part: str,
    text_part: str,
    preheader: str,
    fields: dict[str, str],
    builtins: dict[str, str] = BUILTINS,
    inline_css: Callable[[str], str] | None = None,
    text_of_html: Callable[[str], str] | None = None,
) -> Compiled:
    """Body literals come out with CRLF line ends, as SMTP wants them. ``inline_css`` (campaigns/inlining.py)
    rewrites the HTML before its links are numbered; ``text_of_html`` (campaigns/plaintext.py) writes the text
    part from the HTML when there is none. Both run here, once per compilation, never per recipient."""
    if html_part and not text_part.strip() and text_of_html is not None:
        text = _generated_text(text_of_html(html_part), fields, builtins)
    else:
        text = parse(_lf(text_part), fields, where="text", builtins=builtins)
    if html_part and inline_css is not None:
        html_part = inline_css(html_part)
    links: list[str] = []
    html_segments = _html_segments(_lf(html_part), preheader, fields, links, builtins) if html_part else []
    return Compiled(
        subject=parse(" ".join(subject.split()), fields, where="subject", builtins=builtins),
        text=_crlf_literals(text),
        html=_crlf_literals(html_segments),
        links=links,
    )


def _generated_text(text: str, fields: dict[str, str], builtins: dict[str, str]) -> list:
    """The segments of a text written from the HTML; none when it does not parse (braces the HTML wrote as
    entities, ``&#123;&#123;``, read as a malformed tag): the HTML goes alone rather than the campaign not at all."""
    try:
        return parse(_lf(text), fields, where="text", builtins=builtins)
    except TemplateError:
        return []


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _crlf_literals(segments: list) -> list:
    return [segment.replace("\n", "\r\n") if isinstance(segment, str) else segment for segment in segments]


def crlf(text: str) -> str:
    return _lf(text).replace("\n", "\r\n")


def value_text(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def render(segments: list, values: dict, *, escape: bool, urls: dict | None = None) -> str:
    """``values`` holds field values plus emailAddress, unsubscribeUrl and preferencesUrl; ``urls`` the tracking URLs
    (``("link", n)`` and ``"open"``)."""
    out = []
    for segment in segments:
        if isinstance(segment, str):
            out.append(segment)
            continue
        kind = segment[0]
        if kind == "tag":
            text = value_text(values.get(segment[1])) or segment[2]
            out.append(html.escape(text) if escape else text)
        elif kind == "link":
            out.append(urls[("link", segment[1])])
        else:
            out.append(urls["open"])
    return "".join(out)


def fill_link(template: str, fields: dict, email: str) -> str:
    """A link target with its merge tags filled in for one recipient (values URL-encoded), when it is followed."""
    if "{{" not in template:
        return template
    values = {key.lower(): value for key, value in fields.items()}
    values["emailaddress"] = email

    def fill(match):
        return quote(value_text(values.get(match.group(1).lower())) or fallback_text(match.group(2)), safe="")

    return TAG.sub(fill, template)
