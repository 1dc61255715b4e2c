"""A template's layout: the ``{{ content }}`` slot, checked and filled.

The slot is written ``{{ content }}`` (spaces and case free, no fallback), exactly once in the HTML layout and,
when there is one, in the text layout. Everything else is the campaigns' merge tags (campaigns/content.py),
checked against the account's fields as a campaign's are; ``{{ content | … }}`` with a fallback is a merge tag
of a field named ``content``, not the slot.
"""

import re

from campaigns.content import check

SLOT = re.compile(r"\{\{\s*content\s*\}\}", re.IGNORECASE)
SLOT_TEXT = "{{ content }}"


def slots(layout: str) -> int:
    return len(SLOT.findall(layout))


def compose(layout: str, content: str) -> str:
    """``layout`` with ``content`` in its slot (a function as replacement: backslashes in content stay as written)."""
    return SLOT.sub(lambda _match: content, layout, count=1)


def _slot_error(member: str, layout: str, *, required: bool) -> str | None:
    if not layout.strip():
        return f"a template needs an HTML layout with one {SLOT_TEXT} slot" if required else None
    found = slots(layout)
    if found == 0:
        return f"no {SLOT_TEXT} slot: write it once, where a campaign's content goes"
    if found > 1:
        return f"{found} {SLOT_TEXT} slots: write it exactly once"
    return None


def layout_errors(*, html: str, text: str, fields: dict[str, str]) -> list[dict]:
    """Validation entries (``field``, ``detail``) for a layout: its slots, then its merge tags (``fields``: the
    account's field names keyed lowercased, as campaigns.content takes them)."""
    errors = []
    for member, layout, required in (("html", html, True), ("text", text, False)):
        detail = _slot_error(member, layout, required=required)
        if detail:
            errors.append({"field": member, "detail": detail})
    # The slot is no merge tag: a line break in its place (no "{" on either side can join into a "{{").
    errors += check(
        subject="", html_part=SLOT.sub("\n", html), text_part=SLOT.sub("\n", text), fields=fields, preheader=""
    )
    return errors
