from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser

from api.openapi import openapi_ref, request_body, responses
from api.responses import message
from api.views import AccountScopedView
from imports.representations import import_created_links
from imports.serializers import FORM, double_opt_in_asked, import_payload
from imports.services import import_submit
from lists.selectors import list_get
from subscribers.services import ConsentRequest
from tasks.representations import task_href

IMPORT_REQUEST = {**request_body("import-input"), FORM: openapi_ref("import-form")}
DOUBLE_OPT_IN_PARAMETER = OpenApiParameter(
    "doubleOptIn",
    bool,
    description="true: addresses not yet in the list get a pending membership and a confirmation email (also a "
    "form field, or `doubleOptIn` in a JSON body).",
)
IMPORT_RESPONSES = responses({202: "message"}, extra_problems=(400, 404, 413, 415))


class ImportView(AccountScopedView):
    scope = "imports"

    parser_classes = [MultiPartParser, FormParser]  # raw bodies are read as they are

    @extend_schema(
        operation_id="lists_import",
        parameters=[DOUBLE_OPT_IN_PARAMETER],
        request=IMPORT_REQUEST,
        responses=IMPORT_RESPONSES,
    )
    def post(self, request, account_name, list_id):
        mailing_list = list_get(account=self.account, list_id=list_id)
        fmt, data, prepared, callback = import_payload(request)
        task = import_submit(
            account=self.account,
            mailing_list=mailing_list,
            fmt=fmt,
            data=data,
            prepared=prepared,
            callback=callback,
            double_opt_in=double_opt_in_asked(request, prepared),
            consent=ConsentRequest.of("import", request),
        )
        name = self.account.name
        return message(
            "Import task successfully created",
            import_created_links(name, task.pk, list_id),
            status=202,
            headers={"Location": task_href(name, task.pk)},
        )


class ImportAliasView(ImportView):
    """`…/lists/{listId}/import`: the href the received Blueprint's list-subscribers collection gives."""

    @extend_schema(
        operation_id="lists_import_alias",
        description="The same endpoint as `…/lists/{listId}/subscribers/import`, at the received Blueprint's href.",
        parameters=[DOUBLE_OPT_IN_PARAMETER],
        request=IMPORT_REQUEST,
        responses=IMPORT_RESPONSES,
    )
    def post(self, request, account_name, list_id):
        return super().post(request, account_name, list_id)
