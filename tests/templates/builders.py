"""Shared helpers for the templates tests."""

from tests.helpers import assert_hypermedia

V1 = "/api/v1/templates"
LAYOUT = (
    "<!DOCTYPE html><html><head><style>.greeting { color: #c00; font-weight: bold; } a { color: #06c; }"
    " @media (max-width: 600px) { .greeting { font-size: 20px; } }</style></head>"
    '<body><div class="frame">{{ content }}</div>'
    '<p class="footer">Sent to {{ emailAddress }}. <a href="{{ unsubscribeUrl }}">Unsubscribe</a></p></body></html>'
)
TEXT_LAYOUT = "{{ content }}\n\n--\nSent to {{ emailAddress }}. Unsubscribe: {{ unsubscribeUrl }}\n"


def templates_path(api) -> str:
    return f"/accounts/{api.owner.name}/templates"


def template_body(**overrides) -> dict:
    return {"name": "Newsletter", "html": LAYOUT, "text": "", **overrides}


def create_template(api, **overrides) -> int:
    response = api.post(templates_path(api), template_body(**overrides))
    assert_hypermedia(response, 201, "message")
    return int(response["Location"].rsplit("/", 1)[1])
