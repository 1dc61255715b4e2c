"""The footer a campaign gets when its content has no preference link of its own.

Every campaign message leads to the subscriber's preference page (issue 20): an account that writes
``{{ preferencesUrl }}`` in its content places the link itself; otherwise this small footer is added when the
campaign is compiled (once per campaign, never per recipient), with the unsubscribe link too unless the content
has one. Both are merge tags like any other, substituted into the pre-built message per recipient.
"""

import re

from campaigns.content import BODY_END

PREFERENCES_TAG = re.compile(r"\{\{\s*preferencesUrl\s*(\|[^}]*)?\}\}", re.IGNORECASE)
UNSUBSCRIBE_TAG = re.compile(r"\{\{\s*unsubscribeUrl\s*(\|[^}]*)?\}\}", re.IGNORECASE)
STYLE = "color:#6b7280"
HTML_FOOTER = '<p style="margin:24px 0 0;font-size:12px;line-height:1.5;text-align:center;{style}">{links}</p>'


def with_footer(html: str, text: str) -> tuple[str, str]:
    """``html`` and ``text`` with the footer added to each part that has content and no preference link."""
    return _html(html), _text(text)


def _html(html: str) -> str:
    if not html.strip() or PREFERENCES_TAG.search(html):
        return html
    links = [f'<a href="{{{{ preferencesUrl }}}}" style="{STYLE}">Manage your preferences</a>']
    if not UNSUBSCRIBE_TAG.search(html):
        links.append(f'<a href="{{{{ unsubscribeUrl }}}}" style="{STYLE}">Unsubscribe</a>')
    footer = HTML_FOOTER.format(style=STYLE, links=" · ".join(links))
    ends = list(BODY_END.finditer(html))
    if not ends:
        return f"{html}\n{footer}"
    at = ends[-1].start()
    return f"{html[:at]}{footer}\n{html[at:]}"


def _text(text: str) -> str:
    if not text.strip() or PREFERENCES_TAG.search(text):
        return text
    lines = ["Manage your preferences: {{ preferencesUrl }}"]
    if not UNSUBSCRIBE_TAG.search(text):
        lines.append("Unsubscribe: {{ unsubscribeUrl }}")
    return text.rstrip("\n") + "\n\n-- \n" + "\n".join(lines) + "\n"
