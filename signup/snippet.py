"""The copy-paste HTML of a form: what the back office shows on the form's page. A plain ``<form>`` that posts
urlencoded to the public endpoint; no script, so it works in any page and any site builder. Every value from
the account (labels, URLs) is escaped."""

from django.utils.html import escape

from fields.models import Field
from signup.representations import action_url
from signup.services import EMAIL

INPUT_TYPES = {"string": "text", "number": "number", "date": "date", "email": "email", "country": "text"}
GENDERS = (("", "—"), ("F", "Female"), ("M", "Male"), ("X", "Other"))
# Off-screen rather than display:none: some bots skip fields the stylesheet hides.
HONEYPOT_STYLE = "position:absolute;left:-5000px;width:1px;height:1px;overflow:hidden"


def _control(name: str, type_: str, required: bool, element_id: str) -> str:
    attributes = f'id="{element_id}" name="{escape(name)}"' + (" required" if required else "")
    if type_ == "boolean":
        return f'<input type="checkbox" {attributes} value="true">'
    if type_ == "gender":
        options = "".join(f'<option value="{value}">{label}</option>' for value, label in GENDERS)
        return f"<select {attributes}>{options}</select>"
    extra = ' maxlength="2" pattern="[A-Za-z]{2}" placeholder="US"' if type_ == "country" else ""
    return f'<input type="{INPUT_TYPES.get(type_, "text")}" {attributes}{extra}>'


def _row(label: str, control: str, element_id: str) -> str:
    return f'  <p>\n    <label for="{element_id}">{escape(label)}</label><br>\n    {control}\n  </p>'


def form_snippet(form) -> str:
    """The ``<form>`` for ``form``: the address, its fields with their labels, the hidden honeypot, a button."""
    fields = {f.name: f for f in Field.objects.filter(account_id=form.account_id)}
    prefix = f"sf-{form.key[:8]}"
    rows = [
        _row("Email address", f'<input type="email" id="{prefix}-email" name="{EMAIL}" required>', f"{prefix}-email")
    ]
    for index, entry in enumerate(form.fields):
        field = fields.get(entry["fieldName"])
        if field is None:  # deleted since: the endpoint no longer asks for it either
            continue
        element_id = f"{prefix}-{index}"
        control = _control(field.name, field.type, bool(entry.get("required")), element_id)
        rows.append(_row(field.label or field.name, control, element_id))
    honeypot = (
        f'  <div style="{HONEYPOT_STYLE}" aria-hidden="true">\n'
        f'    <input type="text" name="{form.honeypot}" tabindex="-1" autocomplete="off" value="">\n'
        "  </div>"
    )
    return "\n".join(
        [
            f'<form action="{escape(action_url(form))}" method="post">',
            *rows,
            honeypot,
            '  <button type="submit">Subscribe</button>',
            "</form>",
        ]
    )
