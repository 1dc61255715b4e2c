"""The preference page, /p/{token}: public, no key, the signed token of a campaign message is the credential.

GET shows the account's public lists with the subscriber's own ticked; POST (the page's form) saves the lists,
unsubscribes from everything or resubscribes. A forged, changed or unknown token gets a page saying so (404),
never an error of the server. A preview's or a test send's token (``pv-…``) gets a page saying it is a preview.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser

from api.renderers import HypermediaJSONRenderer
from api.views import AnyAccept, PublicView
from campaigns.tokens import PREVIEW_HEAD, read_preview_token
from preferences.guard import form_value, form_value_valid, same_origin
from preferences.selectors import Preferences, masked, preferences_of
from preferences.services import Refused, preferences_resubscribe, preferences_save, preferences_unsubscribe

PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
PAGE = {
    (200, "text/html"): OpenApiResponse(description="The preference page."),
    (400, "text/html"): OpenApiResponse(description="The page, asking to use one of its buttons."),
    (403, "text/html"): OpenApiResponse(description="A page: the form did not come from this page."),
    (404, "text/html"): OpenApiResponse(description="A page: the link is not valid."),
    (409, "text/html"): OpenApiResponse(description="The page, saying why the change cannot be made."),
}
NOTICES = {
    "save": "Your preferences are saved.",
    "unsubscribe": "You are unsubscribed from all emails.",
    "resubscribe": "Welcome back: you are subscribed again.",
}


def _page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        render_to_string(template, context, request=request), status=status, content_type="text/html; charset=utf-8"
    )
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = PAGE_CSP
    response["Referrer-Policy"] = "same-origin"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _invalid(request) -> HttpResponse:
    return _page(request, "preferences/invalid.html", {}, status=404)


def _preview(request, token: str) -> HttpResponse:
    if read_preview_token(token) is None:
        return _invalid(request)
    return _page(request, "preferences/preview.html", {})


def _shown(request, token: str, preferences: Preferences, *, notice="", error="", status=200) -> HttpResponse:
    lists = [
        {
            "id": row.pk,
            "name": row.display_name,
            "description": row.public_description,
            "ticked": row.pk in preferences.ticked,
            # An old link may still leave a list, not join one.
            "locked": not preferences.can_add and row.pk not in preferences.ticked,
        }
        for row in preferences.lists
    ]
    context = {
        "email": masked(preferences.email),
        "sender": preferences.sender,
        "mode": preferences.mode,
        "status": preferences.subscriber.status if preferences.subscriber else "",
        "lists": lists,
        "can_add": preferences.can_add,
        "form": form_value(token),
        "notice": notice,
        "error": error,
    }
    return _page(request, "preferences/page.html", context, status=status)


def _wanted(data) -> set[int]:
    return {int(value) for value in data.getlist("list") if value.isascii() and value.isdigit() and len(value) < 19}


class PageNegotiation(AnyAccept):
    """A page whatever ``Accept`` says; but a body is parsed by its own type, so one that is no form is a JSON
    problem (415), not a form read from the wrong bytes."""

    def select_parser(self, request, parsers):
        return DefaultContentNegotiation().select_parser(request, parsers)


class PreferencesView(PublicView):
    renderer_classes = [HypermediaJSONRenderer]
    parser_classes = [FormParser, MultiPartParser]  # what browsers send for a form
    content_negotiation_class = PageNegotiation

    @extend_schema(operation_id="preferences_page", auth=[], responses=PAGE)
    def get(self, request, token):
        if token.startswith(PREVIEW_HEAD):
            return _preview(request, token)
        preferences = preferences_of(token)
        if preferences is None:
            return _invalid(request)
        return _shown(request, token, preferences)

    @extend_schema(operation_id="preferences_change", auth=[], request=None, responses=PAGE)
    def post(self, request, token):
        if token.startswith(PREVIEW_HEAD):
            return _preview(request, token)
        preferences = preferences_of(token)
        if preferences is None:
            return _invalid(request)
        if not same_origin(request) or not form_value_valid(token, request.data.get("form")):
            return _page(request, "preferences/refused.html", {"again": request.path}, status=403)
        action = request.data.get("action")
        try:
            if action == "save":
                preferences_save(preferences=preferences, wanted=_wanted(request.data))
            elif action == "resubscribe":
                preferences_resubscribe(preferences=preferences, wanted=_wanted(request.data))
            elif action == "unsubscribe":
                preferences_unsubscribe(preferences=preferences)
            else:
                return _shown(request, token, preferences, error="Choose one of the page's buttons.", status=400)
        except Refused as refused:
            return _shown(request, token, preferences_of(token), error=str(refused), status=409)
        return _shown(request, token, preferences_of(token), notice=NOTICES[action])
