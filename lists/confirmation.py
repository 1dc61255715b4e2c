"""A double opt-in list's confirmation email: the defaults, and the check of a list's own parts (a public
module: the consent app renders and sends it).

Merge tags as in campaigns (``{{ name }}``, ``{{ name | fallback }}``): ``confirmUrl`` (the link that
confirms), ``listName``, ``emailAddress`` and the account's fields. Each custom HTML or text part must hold
``{{ confirmUrl }}``: an email without the link would leave its members pending for good.
"""

import re

from api.problems import VALIDATION_ERROR, ApiProblem
from campaigns.content import TemplateError, compile_campaign

CONFIRM_URL, LIST_NAME = "confirmUrl", "listName"
DEFAULT_SUBJECT = "Please confirm your subscription to {{ listName }}"
DEFAULT_HTML = """<!doctype html>
<html><body style="font-family: system-ui, sans-serif; color: #222; max-width: 32rem">
<p>Hello,</p>
<p>Someone, hopefully you, asked to subscribe <strong>{{ emailAddress }}</strong> to
<strong>{{ listName }}</strong>.</p>
<p><a href="{{ confirmUrl }}" style="display: inline-block; padding: .6rem 1.2rem; background: #1a5fb4;
color: #fff; text-decoration: none; border-radius: 4px">Confirm my subscription</a></p>
<p>If you did not ask for it, ignore this email: you will not be subscribed, and we will not write again.</p>
</body></html>
"""
DEFAULT_TEXT = """Hello,

Someone, hopefully you, asked to subscribe {{ emailAddress }} to {{ listName }}.

Confirm your subscription by opening this link:
{{ confirmUrl }}

If you did not ask for it, ignore this email: you will not be subscribed, and we will not write again.
"""
_CONFIRM_TAG = re.compile(r"\{\{\s*confirmUrl\s*(\|[^{}]*)?\}\}", re.IGNORECASE)


def confirmation_parts(mailing_list) -> tuple[str, str, str]:
    """(subject, html, text) the list's confirmation email is made of: its own, or the defaults."""
    return (
        mailing_list.confirmation_subject or DEFAULT_SUBJECT,
        mailing_list.confirmation_html or DEFAULT_HTML,
        mailing_list.confirmation_text or DEFAULT_TEXT,
    )


def tag_names(field_names) -> dict[str, str]:
    """The merge tags a confirmation email may use, lowercased → as written."""
    names = {name.lower(): name for name in field_names}
    names.update({CONFIRM_URL.lower(): CONFIRM_URL, LIST_NAME.lower(): LIST_NAME})
    return names


def confirmation_template_check(*, subject: str, html: str, text: str, field_names=()) -> None:
    """400.2 naming the part (``confirmationEmail.<part>``) that is malformed, names an unknown merge tag, or,
    custom, has no ``{{ confirmUrl }}``."""
    errors = []
    for part, value in (("html", html), ("text", text)):
        if value and not _CONFIRM_TAG.search(value):
            errors.append({"field": f"confirmationEmail.{part}", "detail": "must hold the link {{ confirmUrl }}"})
    try:
        compile_campaign(
            subject=subject or DEFAULT_SUBJECT,
            html_part=html or DEFAULT_HTML,
            text_part=text or DEFAULT_TEXT,
            preheader="",
            fields=tag_names(field_names),
        )
    except TemplateError as exc:
        where, _, _ = str(exc).partition(":")
        part = {"html_part": "html", "text_part": "text"}.get(where, where)
        errors.append({"field": f"confirmationEmail.{part}", "detail": str(exc)})
    if errors:
        raise ApiProblem(VALIDATION_ERROR, "; ".join(f"{e['field']}: {e['detail']}" for e in errors), errors=errors)
