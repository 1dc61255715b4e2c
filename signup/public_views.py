"""/f/{formKey}: a signup form's public endpoint, posted to by people's browsers from the account's own sites.

Two kinds of client: a plain HTML ``<form>`` (``application/x-www-form-urlencoded``), answered as a browser
navigation (303 to the form's thank-you URL, or to its error URL with ``error`` and ``field``, or a small page
when the form has no such URL); and a page's script posting JSON, answered in JSON (202, or problem+json
naming the bad field). CORS is this view's own (django-cors-headers skips ``/f/``: its origins are global, these
are per form), and a browser's ``Origin`` outside the form's ``allowedOrigins`` is refused (403.3).

Whatever the address (new, a member, pending, unsubscribed, bounced, erased) the answer is the same: the
service's outcome is never looked at, and the confirmation email is queued for after the answer."""

import json

from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser

from api.openapi import openapi_ref
from api.parsers import LimitedJSONParser
from api.problems import ApiProblem
from api.renderers import HypermediaJSONRenderer
from api.responses import message
from api.views import PublicView
from lists.selectors import lists_double_opt_in
from signup.limits import signup_limit_check
from signup.origins import request_origin_allowed, with_query
from signup.problems import ORIGIN_NOT_ALLOWED
from signup.selectors import signup_form_public
from signup.services import signup_submit
from signup.submission import read_submission
from subscribers.models import ConsentSource
from subscribers.services import ConsentRequest

PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'"
REDIRECTED_STATUSES = frozenset({400, 413, 415, 429})  # the post's own fault or load: the site's error page
PREFLIGHT_HEADERS = "accept, content-type, x-request-id"
PROBLEM = openapi_ref("problem")
OPENAPI_RESPONSES = {
    (202, "application/json"): openapi_ref("message"),
    (200, "text/html"): OpenApiResponse(description="A page saying thank you (an HTML form's post, no thank-you URL)."),
    (303, "text/html"): OpenApiResponse(description="To the thank-you URL, or the error URL with error and field."),
    # A JSON post's refusals are problems; an HTML form's, a page (when the form has no error URL).
    **{(status, "application/problem+json"): PROBLEM for status in (400, 403, 404, 413, 415, 429)},
    **{
        (status, "text/html"): OpenApiResponse(
            response=OpenApiTypes.STR, description="A page saying why (an HTML form's post, no error URL)."
        )
        for status in (400, 403, 404, 413, 415, 429)
    },
}


def _wants_json(request) -> bool:
    """A script's post: a JSON body, or an ``Accept`` that asks for JSON and not a page."""
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def asks_confirmation(form) -> bool:
    """Whether a new address gets a confirmation email: the form's setting, not the address's state."""
    return form.double_opt_in or bool(lists_double_opt_in(list_ids=form.lists.values_list("pk", flat=True)))


def thanks(form) -> str:
    if asks_confirmation(form):
        return "Thank you. Please check your inbox: the subscription starts when you confirm it."
    return "Thank you for subscribing."


def _page(request, template: str, context: dict, status: int) -> HttpResponse:
    response = HttpResponse(
        render_to_string(template, context, request=request), status=status, content_type="text/html; charset=utf-8"
    )
    response["Content-Security-Policy"] = PAGE_CSP
    return response


class ByContentType(DefaultContentNegotiation):
    """The parser of the body's Content-Type (415 for another); the JSON renderer whatever Accept says (pages and
    redirects are this view's own)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# Any Accept; no key. (A comment: a docstring would become the OpenAPI description.)
class SignupPostView(PublicView):
    answers_options = True  # api.options leaves this view's OPTIONS (the CORS preflight) to it
    parser_classes = [LimitedJSONParser, FormParser]
    content_negotiation_class = ByContentType
    renderer_classes = [HypermediaJSONRenderer]
    form = None

    @extend_schema(exclude=True)
    def options(self, request, form_key):
        self.form = signup_form_public(key=form_key)
        response = HttpResponse(status=204)
        response["Allow"] = "POST, OPTIONS"
        asked = request.headers.get("Access-Control-Request-Method", "").upper()
        if asked == "POST" and self._origin_allowed(request):
            response["Access-Control-Allow-Methods"] = "POST"
            response["Access-Control-Allow-Headers"] = PREFLIGHT_HEADERS
            response["Access-Control-Max-Age"] = "600"
        return response

    @extend_schema(
        operation_id="signup_form_post",
        auth=[],
        request={
            "application/x-www-form-urlencoded": openapi_ref("signup-submission"),
            "application/json": openapi_ref("signup-submission"),
        },
        responses=OPENAPI_RESPONSES,
    )
    def post(self, request, form_key):
        self.form = form = signup_form_public(key=form_key)
        origin = request.headers.get("Origin")
        if origin is not None and not self._origin_allowed(request):
            raise ApiProblem(ORIGIN_NOT_ALLOWED, f"This signup form does not take posts from {origin[:200]}.")
        signup_limit_check(form_id=form.pk, ip=request.META.get("REMOTE_ADDR"))
        submission = read_submission(form, request.data)
        if not submission.honeypot:  # a bot's post: answered as a person's, nothing written
            consent = ConsentRequest.of(ConsentSource.FORM, request)
            signup_submit(form=form, email=submission.email, values=submission.values, consent=consent)
        if _wants_json(request):
            return message(thanks(form), [], status=202)
        if form.thank_you_url:
            return HttpResponseRedirect(form.thank_you_url, status=303)
        return _page(request, "signup/thanks.html", {"message": thanks(form), "form": form}, 200)

    def _origin_allowed(self, request) -> bool:
        return request_origin_allowed(request.headers.get("Origin"), self.form.allowed_origins)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)  # problem+json (api.problems.exception_handler)
        if _wants_json(self.request) or self.request.method != "POST":
            return response
        return self._browser_error(response)

    def _browser_error(self, response):
        """An HTML form's refused post, answered as a navigation: to the site's error page, or a page of ours."""
        problem = json.loads(response.content)
        fields = [e["field"] for e in problem.get("errors") or [] if e.get("field")]
        slug = problem["type"].rsplit("/", 1)[-1].split("-", 1)[-1]
        form = self.form
        if form is not None and form.error_url and response.status_code in REDIRECTED_STATUSES:
            return HttpResponseRedirect(with_query(form.error_url, error=slug, field=",".join(fields)), status=303)
        page = _page(self.request, "signup/problem.html", {"problem": problem, "error": slug}, response.status_code)
        if "Retry-After" in response:
            page["Retry-After"] = response["Retry-After"]
        return page

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Vary"] = "Origin"
        response["Cache-Control"] = "no-store"
        if self.form is not None and self._origin_allowed(request):
            response["Access-Control-Allow-Origin"] = request.headers["Origin"]
            response["Access-Control-Expose-Headers"] = "Retry-After, X-Request-ID"
        return response
