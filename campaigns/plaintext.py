"""A text part written from an HTML part, for a campaign that has none (html2text would fit but is GPL; this is
the little a newsletter needs, on the standard library's parser).

Paragraphs, headings, list items, table rows and block elements are separated by blank lines or line breaks;
headings of level 1 and 2 are underlined (``=``, ``-``), lower ones written ``### heading``; list items start
with ``- `` or their number; a link is ``text (url)`` (only the url when the text is the url); an image is its
``alt``; ``<br>`` breaks the line and ``<hr>`` draws one. Scripts, styles, the ``<head>`` and elements hidden
with ``display:none`` (a preheader) are left out. Merge tags are text here: they stay as written and are filled
in per recipient like a written text part's, a link's ``{{ unsubscribeUrl }}`` included.
"""

import re
from html.parser import HTMLParser

from campaigns.content import TAG

SKIPPED = {"script", "style", "head", "title", "template", "noscript"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCKS = {
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "footer", "form", "header", "main", "nav", "p", "pre", "section", "table", "tbody", "thead", "tfoot",
    "tr", "ul", "ol",
}  # fmt: skip
HEADINGS = {"h1": "=", "h2": "-", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### "}
HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
SPACES = re.compile(r"[ \t\r\n\f\v]+")
STRAY = re.compile(r"\{(?=\{)")
BREAK = "\x00"  # a line break asked for, turned into "\n" once spaces are collapsed
LINE = "\x02"  # a line break between list items: several in a row make one
KEPT = "\x01"  # a space kept as written (indentation of list items, <pre>), turned into " " at the end


class _Writer(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []  # text, with "\n\n" block separators and BREAK line breaks
        self.skipping: str | None = None  # the left-out element we are in (its nested namesakes counted)
        self.skip = 0
        self.pre = 0
        self.lists: list[list] = []  # per open list: [ordered, next number]
        self.links: list[tuple[str | None, int]] = []  # per open <a>: (href, where its text starts in out)
        self.heading: tuple[str, int] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.skipping:
            self.skip += tag == self.skipping
            return
        if tag not in VOID and (tag in SKIPPED or HIDDEN.search(attributes.get("style") or "")):
            self.skipping, self.skip = tag, 1
            return
        if tag in ("ul", "ol", "li") and self.lists:
            self.out.append(LINE)  # items, and lists within items, on their own lines, no blank line between
        elif tag in BLOCKS or tag in HEADINGS:
            self._block()
        if tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 1])
        elif tag == "li":
            bullet = "- "
            if self.lists and self.lists[-1][0]:
                bullet = f"{self.lists[-1][1]}. "
                self.lists[-1][1] += 1
            self.out.append(KEPT * 2 * max(0, len(self.lists) - 1) + bullet)
        elif tag in HEADINGS:
            self.heading = (tag, len(self.out))
        elif tag == "pre":
            self.pre += 1
        elif tag == "a":
            self.links.append((attributes.get("href"), len(self.out)))
        elif tag == "br":
            self.out.append(BREAK)
        elif tag == "hr":
            self._block()
            self.out.append("-" * 40)
            self._block()
        elif tag == "img" and attributes.get("alt"):
            self.out.append(f" {attributes['alt']} ")
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.skipping:
            self.skip -= tag == self.skipping
            if not self.skip:
                self.skipping = None
            return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            text = _collapse("".join(self.out[start:])).strip()
            if href and not href.startswith("#") and text != href and f"mailto:{text}" != href:
                self.out.append(f" ({href})" if text else href)
        elif tag in HEADINGS and self.heading:
            _name, start = self.heading
            self.heading = None
            text = _collapse("".join(self.out[start:])).strip()
            mark = HEADINGS[tag]
            del self.out[start:]
            if len(mark) == 1:
                self.out += [text, BREAK, mark * max(3, len(text))]
            else:
                self.out.append(mark + text)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "pre" and self.pre:
            self.pre -= 1
        if tag in ("ul", "ol", "li") and self.lists:
            self.out.append(LINE)
        elif tag in BLOCKS or tag in HEADINGS or tag == "li":
            self._block()

    def handle_data(self, data):
        if self.skipping:
            return
        self.out.append(data.replace(" ", KEPT).replace("\n", BREAK) if self.pre else data)

    def _block(self):
        self.out.append("\n\n")


def _collapse(text: str) -> str:
    return SPACES.sub(" ", text)


def html_to_text(source: str) -> str:
    """The text a reader of ``source`` sees, as a text part."""
    writer = _Writer()
    writer.feed(source)
    writer.close()
    lines = []
    for block in "".join(writer.out).split("\n\n"):
        for item in _collapse(block).split(LINE):
            if item.strip():
                lines += [line.strip() for line in item.split(BREAK)]
        lines.append("")
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return _stray_braces_apart(text.replace(KEPT, " ")) + "\n" if text else ""


def _stray_braces_apart(text: str) -> str:
    """Braces the HTML wrote as entities (``&#123;&#123;``) come out as ``{{``: outside a merge tag they are
    written ``{ {``, so that the text parses as the HTML did (the HTML's own ``{{`` are all merge tags)."""
    out, position = [], 0
    for match in TAG.finditer(text):
        out += [STRAY.sub("{ ", text[position : match.start()]), match.group(0)]
        position = match.end()
    return "".join(out) + STRAY.sub("{ ", text[position:])
