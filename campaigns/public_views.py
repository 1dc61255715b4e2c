"""Public endpoints of sent messages: no API key, a signed per-message token instead.

/t/o/{token}: the open pixel; /t/c/{token}/{n}: a tracked link (redirects only to the
campaign's own link n); /u/{token}: unsubscribe (GET: a confirmation page; POST: the
form or RFC 8058's one-click ``List-Unsubscribe=One-Click``).
"""

import base64

from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from drf_spectacular.utils import OpenApiResponse, extend_schema

from api.openapi import responses
from api.problems import NOT_FOUND, ApiProblem
from api.renderers import HypermediaJSONRenderer
from api.views import PublicView
from campaigns.preview import is_preview_token
from campaigns.tokens import make_preferences_token, read_preview_token
from campaigns.tracking import message_for_token, track_click, track_open, unsubscribe_by_token

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_STORE = "no-store, private"
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"


# Images, redirects and pages whatever a mail client's Accept says; a bad token is a JSON problem. (A comment:
# a docstring would become the OpenAPI description of each view below.)
class TokenView(PublicView):
    renderer_classes = [HypermediaJSONRenderer]


class OpenPixelView(TokenView):
    @extend_schema(
        operation_id="track_open",
        auth=[],
        responses={
            (200, "image/gif"): OpenApiResponse(description="A 1×1 transparent GIF; a valid token records an open.")
        },
    )
    def get(self, request, token):
        if request.method == "GET":  # a HEAD (a link checker) is not an open
            track_open(token=token)  # an invalid token still gets the image: mail clients would show a broken one
        response = HttpResponse(PIXEL, content_type="image/gif")
        response["Cache-Control"] = NO_STORE
        return response


class ClickView(TokenView):
    @extend_schema(
        operation_id="track_click",
        auth=[],
        responses={
            302: OpenApiResponse(
                description="Redirect to link `position` of the message's campaign; the click is recorded."
            ),
            **responses({}, problems=(), extra_problems=(404,)),
        },
    )
    def get(self, request, token, position):
        target = track_click(token=token, position=position, record=request.method == "GET")  # a HEAD is no click
        if target is None:
            raise ApiProblem(NOT_FOUND, "This tracked link does not exist.")
        response = HttpResponseRedirect(target)
        response["Cache-Control"] = NO_STORE
        return response


def _page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        render_to_string(template, context, request=request), status=status, content_type="text/html; charset=utf-8"
    )
    response["Cache-Control"] = NO_STORE
    response["Content-Security-Policy"] = PAGE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


def masked_address(email: str) -> str:
    """``j***@example.com``: enough for its owner to recognise, nothing for whoever got the link forwarded."""
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}"


def _context(message) -> dict:
    """A campaign message's pages lead to its preference page (preferences/), where lists can be chosen."""
    preferences = f"/p/{make_preferences_token(message.pk)}" if message.campaign_id else None
    return {"email": masked_address(message.to_email), "preferences": preferences}


PAGE = {
    (200, "text/html"): OpenApiResponse(description="An HTML page."),
    (404, "text/html"): OpenApiResponse(description="An HTML page: the link is not valid."),
}


def _preview_page(request, token: str) -> HttpResponse:
    """A preview's or a test send's unsubscribe link: it says what the real one does, and changes nothing."""
    if read_preview_token(token) is None:
        return _page(request, "campaigns/unsubscribe_invalid.html", {}, status=404)
    return _page(request, "campaigns/unsubscribe_preview.html", {})


class UnsubscribeView(TokenView):
    """The signed token is the credential; one-click POSTs come from mail providers, not browsers."""

    @extend_schema(operation_id="unsubscribe_page", auth=[], responses=PAGE)
    def get(self, request, token):
        if is_preview_token(token):
            return _preview_page(request, token)
        message = message_for_token(token)
        if message is None:
            return _page(request, "campaigns/unsubscribe_invalid.html", {}, status=404)
        return _page(request, "campaigns/unsubscribe_confirm.html", _context(message))

    @extend_schema(operation_id="unsubscribe", auth=[], request=None, responses=PAGE)
    def post(self, request, token):
        if is_preview_token(token):
            return _preview_page(request, token)
        message = unsubscribe_by_token(token=token)
        if message is None:
            return _page(request, "campaigns/unsubscribe_invalid.html", {}, status=404)
        return _page(request, "campaigns/unsubscribe_done.html", _context(message))
