"""Exports on both surfaces: POST /accounts/{accountName}/exports and /api/v1/exports answer 202 with the task;
GET /exports/{token}, the finished task's signed link, streams the file."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from api.openapi import openapi_ref, request_body, responses
from api.problems import NOT_FOUND, ApiProblem
from api.responses import message
from api.v1 import V1View
from api.validation import validated
from api.views import AccountScopedView, PublicView
from exports.models import CONTENT_TYPES
from exports.problems import EXPORT_LINK_GONE
from exports.representations import export_created_links
from exports.selectors import export_file, export_piece_data
from exports.serializers import ExportInputSerializer, submission
from exports.services import export_submit
from exports.tokens import read_token
from tasks.representations import task_href

EXPORT_RESPONSES = responses({202: "message"}, extra_problems=(400, 409, 413, 415))


def _submitted(account, request):
    task = export_submit(account=account, **submission(validated(ExportInputSerializer, request.data)))
    name = account.name
    return message(
        "Export task successfully created",
        export_created_links(name, task.pk),
        status=202,
        headers={"Location": task_href(name, task.pk)},
    )


class ExportCollectionView(AccountScopedView):
    scope = "exports"

    @extend_schema(operation_id="exports_create", request=request_body("export-input"), responses=EXPORT_RESPONSES)
    def post(self, request, account_name):
        return _submitted(self.account, request)


class V1ExportCollectionView(V1View):
    scope = "exports"

    @extend_schema(operation_id="v1_exports_create", request=request_body("export-input"), responses=EXPORT_RESPONSES)
    def post(self, request):
        return _submitted(self.account, request)


class ExportDownloadView(PublicView):
    @extend_schema(
        operation_id="exports_download",
        auth=[],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The export as CSV."),
            (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY, description="The export as XLSX."),
            **{(status, "application/problem+json"): openapi_ref("problem") for status in (404, 410)},
        },
    )
    def get(self, request, token):
        read = read_token(token)
        if read.task_id is None:
            raise ApiProblem(NOT_FOUND, "This download link is not valid.")
        if read.expired:
            raise ApiProblem(EXPORT_LINK_GONE, "This download link expired: GET the task for a fresh one.")
        found = export_file(task_id=read.task_id)
        if found is None:
            raise ApiProblem(EXPORT_LINK_GONE, "The export's file was deleted after its retention period.")
        response = StreamingHttpResponse(
            (export_piece_data(piece_id=piece) for piece in found.pieces),
            content_type=CONTENT_TYPES[found.task.source_format],
        )
        response["Content-Length"] = str(found.size)
        response["Content-Disposition"] = f'attachment; filename="{found.name}"'
        response["Cache-Control"] = "no-store, private"
        response["Referrer-Policy"] = "no-referrer"  # the token is the credential: it leaves with no link
        return response
