"""Problem types, the exception that carries one, and the one exception handler.

Every error leaves the server as ``application/problem+json`` (RFC 9457) with
``type``, ``title``, ``detail``, ``status`` and ``errorCode``; validation errors
add ``errors``, one entry per offending field.
"""

import json
import logging

from django.core.exceptions import (
    BadRequest,
    PermissionDenied as DjangoPermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpResponse
from rest_framework import exceptions as drf

from api.logs import request_id_var
from api.registry import ProblemType, problem

logger = logging.getLogger("api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
WWW_AUTHENTICATE = 'Bearer realm="api"'

INVALID_JSON = problem(
    400,
    1,
    "invalid-json",
    "The request body is not valid JSON.",
    "The body could not be parsed as JSON. Check quotes, commas and brackets.",
)
VALIDATION_ERROR = problem(
    400,
    2,
    "validation-error",
    "The request has invalid data.",
    "One or more values are invalid; `errors` lists each field with what is wrong.",
)
INVALID_PARAMETER = problem(
    400,
    3,
    "invalid-parameter",
    "A query parameter is invalid.",
    "A query string parameter has a value outside what the resource accepts.",
)
MISSING_DATA = problem(
    400,
    24,
    "missing-data",
    "Required data is missing.",
    "A member the request needs is absent; `detail` and `errors` name it.",
)
BAD_REQUEST = problem(
    400,
    4,
    "bad-request",
    "The request is malformed.",
    "The request could not be understood (for example a malformed header).",
)
INVALID_TOKEN = problem(
    401,
    1,
    "invalid-token",
    "The API key is invalid.",
    "The API key sent is unknown, has been revoked, or has expired (`detail` says so and when).",
)
MISSING_TOKEN = problem(
    401,
    2,
    "missing-token",
    "An API key is required.",
    "Send the API key as `Authorization: Bearer KEY`, `Token KEY`, `OAuth2 KEY`, "
    "as the Basic password, or as `?access_token=KEY`.",
)
WRONG_ACCOUNT = problem(
    403,
    1,
    "forbidden-wrong-account",
    "The API key does not give access to this account.",
    "The key belongs to another account. The answer is the same whether the requested account exists or not.",
)
FORBIDDEN = problem(
    403, 2, "forbidden", "The request is not allowed.", "The credentials are valid but do not allow this request."
)
NOT_FOUND = problem(
    404,
    1,
    "not-found",
    "The resource was not found.",
    "No resource exists at this URL. Follow the links from `/` instead of building URLs.",
)
METHOD_NOT_ALLOWED = problem(
    405,
    1,
    "method-not-allowed",
    "The method is not allowed on this resource.",
    "The `Allow` header lists the methods the resource accepts.",
)
NOT_ACCEPTABLE = problem(
    406,
    1,
    "not-acceptable",
    "No acceptable representation.",
    "The server cannot produce a representation matching the `Accept` header; ask for `application/json`.",
)
PRECONDITION_FAILED = problem(
    412,
    1,
    "precondition-failed",
    "The resource has changed.",
    "`If-Match` named an entity tag that is not the resource's current one: another client changed it since you "
    "read it. Nothing was changed. GET the resource again (its `ETag` is the new tag), merge, and retry.",
)
PAYLOAD_TOO_LARGE = problem(
    413, 1, "payload-too-large", "The request body is too large.", "The body exceeds the server's maximum request size."
)
JSON_TOO_DEEP = problem(
    400,
    43,
    "json-too-deep",
    "The JSON body is nested too deeply.",
    "Arrays and objects nest deeper than the server accepts (`MAX_JSON_DEPTH`, 32 by default); `errors` names where.",
)
JSON_STRING_TOO_LONG = problem(
    413,
    2,
    "json-string-too-long",
    "A string in the JSON body is too long.",
    "A string value or key is longer than the server accepts (`MAX_JSON_STRING_LENGTH`, "
    "1,048,576 characters by default); `errors` names where.",
)
JSON_TOO_MANY_ITEMS = problem(
    413,
    3,
    "json-too-many-items",
    "An array or object in the JSON body is too large.",
    "An array or object has more members than the server accepts (`MAX_JSON_ITEMS`, "
    "1,000 by default); `errors` names where. Imports take larger bodies.",
)
UNSUPPORTED_MEDIA_TYPE = problem(
    415,
    1,
    "unsupported-media-type",
    "The request body's media type is not supported.",
    "Send the body with a `Content-Type` the resource accepts (usually `application/json`).",
)
TOO_MANY_REQUESTS = problem(
    429,
    1,
    "too-many-requests",
    "Too many requests.",
    "The API key has exceeded its rate limit; retry after the seconds given by `Retry-After`.",
)
NOT_READY = problem(
    503,
    1,
    "not-ready",
    "The server is not ready.",
    "A service the server needs (PostgreSQL or Redis) does not answer; `detail` and `checks` "
    "name it. Load balancers should send no traffic until `/readyz` answers 200 again.",
)
INTERNAL_ERROR = problem(
    500,
    1,
    "internal-error",
    "Internal server error.",
    "The server failed unexpectedly. The failure is logged; no details are disclosed.",
)


class ApiProblem(drf.APIException):
    """Raise with a ProblemType and a detail naming what was wrong."""

    def __init__(
        self,
        problem_type: ProblemType,
        detail: str | None = None,
        *,
        errors: list[dict] | None = None,
        headers: dict | None = None,
        extra: dict | None = None,
    ):
        self.problem_type = problem_type
        self.status_code = problem_type.status
        self.problem_detail = detail or problem_type.title
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.problem_detail)


def problem_body(problem_type: ProblemType, detail: str, errors: list[dict] | None = None, **extra) -> dict:
    body = {
        "type": problem_type.type,
        "title": problem_type.title,
        "detail": detail,
        "status": problem_type.status,
        "errorCode": problem_type.code,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    request_id = request_id_var.get()
    if request_id is not None:  # the same id as the X-Request-ID header and the log line
        body["requestId"] = request_id
    return body


def problem_response(
    problem_type: ProblemType,
    detail: str | None = None,
    *,
    errors: list[dict] | None = None,
    headers: dict | None = None,
    **extra,
) -> HttpResponse:
    body = problem_body(problem_type, detail or problem_type.title, errors, **extra)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=problem_type.status, content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def flatten_validation_errors(detail, prefix: str = "") -> list[dict]:
    """DRF's nested error structure → ``[{"field": "a.b", "detail": "..."}]``."""
    if isinstance(detail, dict):
        entries = []
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            entries.extend(flatten_validation_errors(value, name))
        return entries
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"field": prefix or None, "detail": str(item)} for item in detail]
        entries = []
        for index, item in enumerate(detail):
            if item:
                entries.extend(flatten_validation_errors(item, f"{prefix}[{index}]"))
        return entries
    return [{"field": prefix or None, "detail": str(detail)}]


def _summary(errors: list[dict]) -> str:
    parts = [f"{e['field']}: {e['detail']}" if e["field"] else e["detail"] for e in errors[:5]]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


def response_for_exception(exc: Exception) -> HttpResponse:
    if isinstance(exc, ApiProblem):
        return problem_response(
            exc.problem_type, exc.problem_detail, errors=exc.errors, headers=exc.headers, **exc.extra
        )
    if isinstance(exc, drf.ValidationError):
        errors = flatten_validation_errors(exc.detail)
        return problem_response(VALIDATION_ERROR, _summary(errors), errors=errors)
    if isinstance(exc, drf.ParseError):
        return problem_response(INVALID_JSON, f"The body is not valid JSON: {exc.detail}")
    if isinstance(exc, drf.NotAuthenticated):
        return problem_response(MISSING_TOKEN, "No API key was sent.", headers={"WWW-Authenticate": WWW_AUTHENTICATE})
    if isinstance(exc, drf.AuthenticationFailed):
        return problem_response(INVALID_TOKEN, str(exc.detail), headers={"WWW-Authenticate": WWW_AUTHENTICATE})
    if isinstance(exc, (drf.PermissionDenied, DjangoPermissionDenied)):
        return problem_response(FORBIDDEN)
    if isinstance(exc, (drf.NotFound, Http404)):
        return problem_response(NOT_FOUND)
    if isinstance(exc, drf.MethodNotAllowed):
        return problem_response(METHOD_NOT_ALLOWED, str(exc.detail))
    if isinstance(exc, drf.NotAcceptable):
        return problem_response(NOT_ACCEPTABLE, "Ask for application/json (or */*).")
    if isinstance(exc, drf.UnsupportedMediaType):
        return problem_response(UNSUPPORTED_MEDIA_TYPE, str(exc.detail))
    if isinstance(exc, drf.Throttled):
        wait = max(1, int(exc.wait or 1))
        return problem_response(
            TOO_MANY_REQUESTS, f"Rate limit exceeded; retry in {wait} seconds.", headers={"Retry-After": str(wait)}
        )
    if isinstance(exc, RequestDataTooBig):
        return problem_response(PAYLOAD_TOO_LARGE)
    if isinstance(exc, (BadRequest, SuspiciousOperation)):
        return problem_response(BAD_REQUEST, str(exc) or BAD_REQUEST.title)
    if isinstance(exc, drf.APIException):
        return problem_response(BAD_REQUEST if exc.status_code == 400 else INTERNAL_ERROR, str(exc.detail))
    logger.error("Unhandled exception", exc_info=exc)
    return problem_response(INTERNAL_ERROR)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every exception becomes problem+json."""
    response = response_for_exception(exc)
    if isinstance(exc, drf.MethodNotAllowed) and context.get("view") is not None:
        response["Allow"] = ", ".join(context["view"].allowed_methods)
    return response
