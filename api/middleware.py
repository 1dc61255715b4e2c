import logging
import time

from django.conf import settings

from api.auth import AccountPrincipal
from api.logs import incoming_request_id, redact, request_id_var
from api.problems import INVALID_PARAMETER, PAYLOAD_TOO_LARGE, problem_response, response_for_exception

request_logger = logging.getLogger("api.requests")


class BodySizeLimitMiddleware:
    """Refuse a body larger than MAX_REQUEST_BODY_BYTES before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(length)
        except ValueError:
            size = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if size > limit:
            return problem_response(PAYLOAD_TOO_LARGE, f"The body has {size} bytes; the maximum is {limit} bytes.")
        return self.get_response(request)


class QueryTextMiddleware:
    """Refuse a query parameter whose name or value holds a NUL character (``%00``), before any view: no text
    column of PostgreSQL can hold one, so a filter or a search given it would fail in the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                shown = name.replace("\x00", "%00")
                detail = "must not contain a NUL character (%00)"
                return problem_response(
                    INVALID_PARAMETER, f"'{shown}' {detail}.", errors=[{"field": shown, "detail": detail}]
                )
        return self.get_response(request)


class ProblemMiddleware:
    """Errors raised by plain Django views (docs pages, admin-free paths) → problem+json.

    DRF views have their own handler; this covers the rest, also with DEBUG on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/admin/"):
            return None
        return response_for_exception(exception)


class RequestLogMiddleware:
    """One log line per request (logger ``api.requests``), and its request id.

    Outermost, so it times and sees every answer, including those of the middleware below it.
    The id is the client's ``X-Request-ID`` when well formed, else a new one; it is echoed in the
    response header, set on ``request.request_id``, and named by problem bodies and log lines.
    The path is logged without its query string's ``access_token``; headers are never logged.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = incoming_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        self._log(request, response, request_id, (time.perf_counter() - started) * 1000)
        return response

    @staticmethod
    def _log(request, response, request_id: str, duration_ms: float) -> None:
        query = redact(request.META.get("QUERY_STRING", ""))
        fields = {
            "request_id": request_id,
            "method": request.method,
            "path": request.path,
            "query": query,
            "status": response.status_code,
            "duration_ms": round(duration_ms, 2),
            "account": _account_name(request),
            "remote_addr": request.META.get("REMOTE_ADDR", ""),
        }
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        request_logger.log(level, "%s %s %s", request.method, request.path, response.status_code, extra=fields)


def _account_name(request) -> str | None:
    # DRF puts the key's principal on the Django request; Django's own lazy user (the admin's)
    # is not looked at, so logging never costs a session query.
    principal = request.__dict__.get("user")
    return principal.account.name if type(principal) is AccountPrincipal else None


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every HTML page that did not set its own.

    Every page loads only from this origin; Swagger UI (``/api/docs/``, its bundle from drf-spectacular-sidecar)
    also fetches the schema.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and response.get("Content-Type", "").startswith("text/html"):
            docs = request.path.startswith(settings.SWAGGER_UI_PATH)
            response["Content-Security-Policy"] = settings.SWAGGER_UI_CSP if docs else settings.HTML_CSP
        return response


class RateLimitHeadersMiddleware:
    """``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` on every answer to a request its API key
    was counted for (``api.throttling``), a 429 included; after ``api.conditional`` has refunded a 304."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = getattr(request, "rate_limit", None)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        return response
