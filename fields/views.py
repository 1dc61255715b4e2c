from drf_spectacular.utils import extend_schema

from api.openapi import request_body, responses
from api.responses import hypermedia, message
from api.validation import validated
from api.views import AccountScopedView
from fields import representations as rep
from fields.selectors import field_get, field_list
from fields.serializers import FieldCreateSerializer, FieldUpdateSerializer
from fields.services import field_create, field_delete, field_update


class FieldCollectionView(AccountScopedView):
    scope = "lists"

    @extend_schema(operation_id="fields_list", responses=responses({200: "fields-collection"}))
    def get(self, request, account_name):
        body = rep.fields_collection(self.account.name, field_list(account=self.account))
        return hypermedia(body, "fields-collection")

    @extend_schema(
        operation_id="fields_create",
        request=request_body("field-input"),
        responses=responses({200: "message"}, extra_problems=(400, 409, 415)),
    )
    def post(self, request, account_name):
        data = validated(FieldCreateSerializer, request.data)
        field = field_create(
            account=self.account,
            name=data["fieldName"],
            type=data["type"],
            label=data.get("label"),
            private=data["private"],
            indexed=data["indexed"],
        )
        name = self.account.name
        return message(
            "Field created successfully",
            rep.field_written_links(name, field, "Created field"),
            headers={"Location": rep.field_href(name, field.name)},
        )


class FieldDetailView(AccountScopedView):
    scope = "lists"

    @extend_schema(operation_id="fields_retrieve", responses=responses({200: "field"}, extra_problems=(404,)))
    def get(self, request, account_name, field_name):
        field = field_get(account=self.account, name=field_name)
        return hypermedia(rep.field_detail(self.account.name, field), "field")

    @extend_schema(
        operation_id="fields_update",
        request=request_body("field-update"),
        responses=responses({200: "message"}, extra_problems=(400, 404, 409, 415)),
    )
    def put(self, request, account_name, field_name):
        field = field_get(account=self.account, name=field_name)
        data = validated(FieldUpdateSerializer, request.data, field=field)
        field_update(field=field, label=data.get("label"), private=data.get("private"), indexed=data.get("indexed"))
        return message("Field updated successfully", rep.field_written_links(self.account.name, field, "Updated field"))

    @extend_schema(operation_id="fields_destroy", responses=responses({200: "message"}, extra_problems=(404, 409)))
    def delete(self, request, account_name, field_name):
        field_delete(field=field_get(account=self.account, name=field_name))
        return message("Field deleted successfully", rep.field_deleted_links(self.account.name))
