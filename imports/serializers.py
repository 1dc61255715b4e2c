"""An import's body, parsed: JSON items, a file in a raw body (CSV, XLS, XLSX), in a multipart form, or the
text of a CSV or JSON file in an HTML form (application/x-www-form-urlencoded, as the received Blueprint)."""

from pathlib import PurePath

from django.conf import settings

from api.parsers import loads_nesting_checked
from api.problems import INVALID_JSON, MISSING_DATA, UNSUPPORTED_MEDIA_TYPE, ApiProblem
from api.query import invalid
from imports.problems import IMPORT_FILE_INVALID
from imports.sources import CONTENT_TYPES, EXTENSIONS, SPREADSHEETS, InvalidSource, Prepared, prepare_json

FORM = "application/x-www-form-urlencoded"
ACCEPTED = ", ".join([*CONTENT_TYPES, "multipart/form-data", FORM])
Payload = tuple[str, bytes | None, Prepared | None, str | None]


def import_payload(request) -> Payload:
    """The body as the import reads it: (format, raw bytes or None, prepared JSON or None, callback URL)."""
    media = (request.content_type or "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ApiProblem(
                MISSING_DATA,
                "The form must carry the file in the part 'file'.",
                errors=[{"field": "file", "detail": "This field is required."}],
            )
        declared = (request.data.get("content-type") or upload.content_type or "").split(";")[0].strip().lower()
        fmt = CONTENT_TYPES.get(declared) or EXTENSIONS.get(PurePath(upload.name or "").suffix.lower())
        if fmt is None:
            raise ApiProblem(
                UNSUPPORTED_MEDIA_TYPE, f"Cannot import a file of type '{declared}'; accepted: {ACCEPTED}."
            )
        if fmt == "json":
            return json_payload(upload.read())
        return fmt, upload.read(), None, request.data.get("callback") or None
    if media == FORM:
        return form_payload(request)
    if media not in CONTENT_TYPES:
        raise ApiProblem(UNSUPPORTED_MEDIA_TYPE, f"Cannot import '{media or 'no content type'}'; accepted: {ACCEPTED}.")
    if CONTENT_TYPES[media] == "json":
        return json_payload(request.body)
    return CONTENT_TYPES[media], request.body, None, request.query_params.get("callback") or None


def form_payload(request) -> Payload:
    """An HTML form's fields: `file` (the file's text), `content-type` (text/csv when absent), `callback`.
    A form carries text, so only CSV and JSON; a workbook goes as multipart/form-data or as the body."""
    text = request.data.get("file")
    if text is None:
        raise ApiProblem(
            MISSING_DATA,
            "The form must carry the file's text in the field 'file'.",
            errors=[{"field": "file", "detail": "This field is required."}],
        )
    declared = (request.data.get("content-type") or "text/csv").split(";")[0].strip().lower()
    fmt = CONTENT_TYPES.get(declared)
    if fmt is None or fmt in SPREADSHEETS:
        raise ApiProblem(
            UNSUPPORTED_MEDIA_TYPE,
            f"A form ({FORM}) carries a CSV or JSON file's text, not '{declared}'; "
            "send a workbook as multipart/form-data or as the request body.",
        )
    data = text.encode("utf-8")
    if fmt == "json":
        return json_payload(data)
    return fmt, data, None, request.data.get("callback") or request.query_params.get("callback") or None


def json_payload(body: bytes) -> Payload:
    """A JSON import body (``{"items": [{"emailAddress", "fields"}], "callback"}``), checked and prepared."""
    try:
        payload = loads_nesting_checked(body, settings.MAX_JSON_DEPTH)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiProblem(INVALID_JSON, f"The body is not valid JSON: {exc}.") from None
    try:
        prepared, callback = prepare_json(payload)
    except InvalidSource as exc:
        raise ApiProblem(IMPORT_FILE_INVALID, str(exc)) from None
    return "json", None, prepared, callback


BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def double_opt_in_asked(request, prepared: Prepared | None) -> bool:
    """``doubleOptIn``: a query parameter, a form field, or a member of a JSON body (in ``prepared``'s options);
    true or false (1 or 0)."""
    if prepared is not None and prepared.options.get("doubleOptIn"):
        return True
    raw = request.query_params.get("doubleOptIn")
    if raw is None and (request.content_type or "").split(";")[0].strip().lower() in (FORM, "multipart/form-data"):
        raw = request.data.get("doubleOptIn")
    if raw is None:
        return False
    value = BOOLEANS.get(str(raw).strip().lower())
    if value is None:
        raise invalid("doubleOptIn", "must be true or false", str(raw))
    return value
