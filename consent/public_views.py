"""/c/{token}: the double opt-in link. GET shows a page with a button (mail scanners follow links with GET and
must confirm nothing); the button POSTs, which confirms. Every outcome is a page for people, never a 500: a
forged link 400, a lapsed or used one 410."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from drf_spectacular.utils import OpenApiResponse, extend_schema

from api.renderers import HypermediaJSONRenderer
from api.views import PublicView
from consent.services import EXPIRED, FORGED, confirmation_by_token
from lists.selectors import list_name
from subscribers.consents import ALREADY, CONFIRMED, GONE
from subscribers.selectors import subscriber_email

NO_STORE = "no-store, private"
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
# outcome → (template, status)
PAGES = {
    "pending": ("consent/confirm.html", 200),
    CONFIRMED: ("consent/confirmed.html", 200),
    ALREADY: ("consent/already.html", 410),
    GONE: ("consent/gone.html", 410),
    EXPIRED: ("consent/expired.html", 410),
    FORGED: ("consent/invalid.html", 400),
}
PAGE = {
    (200, "text/html"): OpenApiResponse(description="An HTML page: the button, or the subscription confirmed."),
    (400, "text/html"): OpenApiResponse(description="An HTML page: the link is not valid (changed or incomplete)."),
    (410, "text/html"): OpenApiResponse(description="An HTML page: the link expired, or was used already."),
}


def masked_address(email: str) -> str:
    """``j***@example.com``: enough for its owner to recognise, nothing for whoever got the link forwarded."""
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}"


def _page(request, outcome: str, consent) -> HttpResponse:
    template, status = PAGES[outcome]
    context = {}
    if consent is not None:
        context = {
            "email": masked_address(subscriber_email(subscriber_id=consent.subscriber_id) or ""),
            "list_name": list_name(list_id=consent.list_id),
        }
    response = HttpResponse(
        render_to_string(template, context, request=request), status=status, content_type="text/html; charset=utf-8"
    )
    response["Cache-Control"] = NO_STORE
    response["Content-Security-Policy"] = PAGE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"  # the token is the credential: it leaves with no link
    return response


def _agent(request) -> str | None:
    return request.META.get("HTTP_USER_AGENT") or None


# Pages whatever the Accept header says. (A comment: a docstring would become the OpenAPI description.)
class ConfirmView(PublicView):
    renderer_classes = [HypermediaJSONRenderer]

    @extend_schema(operation_id="double_opt_in_page", auth=[], responses=PAGE)
    def get(self, request, token):
        outcome, consent = confirmation_by_token(token=token, ip=None, user_agent=None, confirm=False)
        return _page(request, outcome, consent)

    @extend_schema(operation_id="double_opt_in_confirm", auth=[], request=None, responses=PAGE)
    def post(self, request, token):
        outcome, consent = confirmation_by_token(
            token=token, ip=request.META.get("REMOTE_ADDR") or None, user_agent=_agent(request), confirm=True
        )
        return _page(request, outcome, consent)
