"""An import's body, parsed: JSON items, a file in a raw body (CSV, XLS, XLSX) or in a multipart form."""

from pathlib import PurePath

from django.conf import settings

from api.parsers import loads_nesting_checked
from api.problems import INVALID_JSON, MISSING_DATA, UNSUPPORTED_MEDIA_TYPE, ApiProblem
from imports.problems import IMPORT_FILE_INVALID
from imports.sources import CONTENT_TYPES, EXTENSIONS, InvalidSource, Prepared, prepare_json

ACCEPTED = ", ".join([*CONTENT_TYPES, "multipart/form-data"])
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
    if media not in CONTENT_TYPES:
        raise ApiProblem(UNSUPPORTED_MEDIA_TYPE, f"Cannot import '{media or 'no content type'}'; accepted: {ACCEPTED}.")
    if CONTENT_TYPES[media] == "json":
        return json_payload(request.body)
    return CONTENT_TYPES[media], request.body, None, request.query_params.get("callback") or None


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
