from drf_spectacular.utils import extend_schema

from api.openapi import request_body, responses
from api.pagination import PAGE_PARAMETERS, page_params
from api.responses import hypermedia, message
from api.validation import validated
from api.views import AccountScopedView
from lists import representations as rep
from lists.selectors import list_get, list_page
from lists.serializers import ListInputSerializer, list_changes
from lists.services import list_create, list_delete, list_update


class ListCollectionView(AccountScopedView):
    scope = "lists"

    @extend_schema(
        operation_id="lists_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: "lists-collection"}, extra_problems=(400,)),
    )
    def get(self, request, account_name):
        params = page_params(request)
        rows, total = list_page(account=self.account, params=params)
        return hypermedia(rep.lists_page(self.account.name, rows, total, params), "lists-collection")

    @extend_schema(
        operation_id="lists_create",
        request=request_body("list-input"),
        responses=responses({201: "message"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request, account_name):
        data = validated(ListInputSerializer, request.data)
        mailing_list = list_create(account=self.account, name=data["name"], **list_changes(data))
        name = self.account.name
        return message(
            "List successfully created",
            rep.list_written_links(name, mailing_list.pk, created=True),
            status=201,
            headers={"Location": rep.list_href(name, mailing_list.pk)},
        )


class ListDetailView(AccountScopedView):
    scope = "lists"

    @extend_schema(operation_id="lists_retrieve", responses=responses({200: "list"}, extra_problems=(404,)))
    def get(self, request, account_name, list_id):
        mailing_list = list_get(account=self.account, list_id=list_id)
        return hypermedia(rep.list_detail(self.account.name, mailing_list), "list")

    @extend_schema(
        operation_id="lists_update",
        request=request_body("list-input"),
        responses=responses({200: "message"}, extra_problems=(400, 404, 415)),
    )
    def put(self, request, account_name, list_id):
        mailing_list = list_get(account=self.account, list_id=list_id)
        data = validated(ListInputSerializer, request.data)
        list_update(mailing_list=mailing_list, name=data["name"], **list_changes(data))
        return message(
            "List updated successfully", rep.list_written_links(self.account.name, mailing_list.pk, created=False)
        )

    @extend_schema(operation_id="lists_destroy", responses=responses({200: "message"}, extra_problems=(404,)))
    def delete(self, request, account_name, list_id):
        list_delete(mailing_list=list_get(account=self.account, list_id=list_id))
        return message("List deleted successfully", rep.list_deleted_links(self.account.name))
