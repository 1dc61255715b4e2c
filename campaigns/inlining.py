"""CSS inlining: the rules of an HTML's ``<style>`` blocks copied onto the elements they match, as ``style``
attributes, for the mail clients that drop ``<style>`` (css-inline, a Rust library: a few milliseconds for a
large newsletter). Done when a campaign is compiled (once per campaign, at its start; for a preview each time),
never per recipient.

Merge tags go through unchanged: each is swapped for an inert placeholder (letters and digits, which HTML and
CSS keep as written in text, attributes and rules alike) before the HTML is parsed and re-serialised, and put
back after. Otherwise a fallback such as ``{{ name | "Tom & Jerry" }}`` would come back entity-encoded. Blocks
holding ``@media`` (and other at-rules) stay in a ``<style>`` block: inline styles cannot express them. Linked
stylesheets are never fetched (the server would otherwise request any URL an author wrote) and stay as written.
An HTML without ``<style>`` is returned as it is: there is nothing to inline, and its bytes stay the author's.
"""

import logging
import re
import secrets

import css_inline

from campaigns.content import TAG

logger = logging.getLogger("campaigns")
STYLE = re.compile(r"<style\b", re.IGNORECASE)
INLINER = css_inline.CSSInliner(keep_at_rules=True, keep_link_tags=True, load_remote_stylesheets=False)


def inline_css(source: str) -> str:
    """``source`` with its ``<style>`` rules inlined; unchanged when it has none or cannot be inlined."""
    if not STYLE.search(source):
        return source
    marker = f"mt{secrets.token_hex(6)}"
    found = re.compile(rf"{marker}n(\d+)x")
    if found.search(source):  # cannot happen by chance (48 random bits); never confuse the author's text
        return source
    tags: list[str] = []

    def hide(match: re.Match) -> str:
        tags.append(match.group(0))
        return f"{marker}n{len(tags) - 1}x"

    try:
        inlined = INLINER.inline(TAG.sub(hide, source))
    except (css_inline.InlineError, ValueError) as exc:  # sent as written rather than not at all
        logger.warning("CSS not inlined: %s", exc)
        return source
    return found.sub(lambda match: tags[int(match.group(1))], inlined)
