from pathlib import PurePath

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser

from api.links import account_home, link, url
from api.openapi import request_body, responses
from api.parsers import loads_nesting_checked
from api.problems import INVALID_JSON, MISSING_DATA, UNSUPPORTED_MEDIA_TYPE, ApiProblem
from api.responses import message
from api.views import AccountScopedView
from imports.problems import IMPORT_FILE_INVALID
from imports.services import import_submit
from imports.sources import CONTENT_TYPES, EXTENSIONS, InvalidSource, prepare_json
from lists.representations import list_href
from lists.selectors import list_get
from tasks.representations import task_href

ACCEPTED = ", ".join([*CONTENT_TYPES, "multipart/form-data"])


class ImportView(AccountScopedView):
    parser_classes = [MultiPartParser, FormParser]  # raw bodies are read as they are

    @extend_schema(
        operation_id="lists_import",
        request=request_body("import-input"),
        responses=responses({202: "message"}, extra_problems=(400, 404, 413, 415)),
    )
    def post(self, request, account_name, list_id):
        mailing_list = list_get(account=self.account, list_id=list_id)
        fmt, data, prepared, callback = self._payload(request)
        task = import_submit(
            account=self.account, mailing_list=mailing_list, fmt=fmt, data=data, prepared=prepared, callback=callback
        )
        name = self.account.name
        href = task_href(name, task.pk)
        return message(
            "Import task successfully created",
            [
                link(href, "related /rels/task", "Created task"),
                link(
                    url("task-cancel", account_name=name, task_id=task.pk), "related /rels/cancel-task", "Cancel task"
                ),
                link(list_href(name, list_id), "parent /rels/list", "Related list"),
                account_home(name),
            ],
            status=202,
            headers={"Location": href},
        )

    def _payload(self, request):
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
                return self._json(upload.read())
            return fmt, upload.read(), None, request.data.get("callback") or None
        if media not in CONTENT_TYPES:
            raise ApiProblem(
                UNSUPPORTED_MEDIA_TYPE, f"Cannot import '{media or 'no content type'}'; accepted: {ACCEPTED}."
            )
        if CONTENT_TYPES[media] == "json":
            return self._json(request.body)
        return CONTENT_TYPES[media], request.body, None, request.query_params.get("callback") or None

    @staticmethod
    def _json(body: bytes):
        try:
            payload = loads_nesting_checked(body, settings.MAX_JSON_DEPTH)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiProblem(INVALID_JSON, f"The body is not valid JSON: {exc}.") from None
        try:
            prepared, callback = prepare_json(payload)
        except InvalidSource as exc:
            raise ApiProblem(IMPORT_FILE_INVALID, str(exc)) from None
        return "json", None, prepared, callback
