"""Templates on the Blueprint surface: /accounts/{accountName}/templates…"""

from drf_spectacular.utils import extend_schema

from api.openapi import request_body, responses
from api.pagination import PAGE_PARAMETERS, page_params
from api.responses import hypermedia, message
from api.validation import validated
from api.views import AccountScopedView
from templates import representations as rep
from templates.selectors import template_get, template_page
from templates.serializers import TemplateInputSerializer
from templates.services import template_create, template_delete, template_update


class TemplateCollectionView(AccountScopedView):
    scope = "campaigns"

    @extend_schema(
        operation_id="templates_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: "templates-collection"}, extra_problems=(400,)),
    )
    def get(self, request, account_name):
        params = page_params(request)
        rows, total = template_page(account=self.account, params=params)
        return hypermedia(rep.templates_page(self.account.name, rows, total, params), "templates-collection")

    @extend_schema(
        operation_id="templates_create",
        request=request_body("template-input"),
        responses=responses({201: "message"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request, account_name):
        template = template_create(account=self.account, **validated(TemplateInputSerializer, request.data))
        routes = rep.hypermedia_routes(self.account.name)
        return message(
            "Template created",
            rep.template_written_links(routes, template),
            status=201,
            headers={"Location": routes.detail(template.pk)},
        )


class TemplateDetailView(AccountScopedView):
    scope = "campaigns"

    @extend_schema(operation_id="templates_retrieve", responses=responses({200: "template"}, extra_problems=(404,)))
    def get(self, request, account_name, template_id):
        template = template_get(account=self.account, template_id=template_id)
        return hypermedia(rep.template_detail(rep.hypermedia_routes(self.account.name), template), "template")

    @extend_schema(
        operation_id="templates_update",
        request=request_body("template-input"),
        responses=responses({200: "message"}, extra_problems=(400, 404, 415)),
    )
    def put(self, request, account_name, template_id):
        template = template_get(account=self.account, template_id=template_id)
        template = template_update(template=template, **validated(TemplateInputSerializer, request.data))
        routes = rep.hypermedia_routes(self.account.name)
        return message("Template updated", rep.template_written_links(routes, template))

    @extend_schema(operation_id="templates_destroy", responses=responses({200: "message"}, extra_problems=(404, 409)))
    def delete(self, request, account_name, template_id):
        template_delete(template=template_get(account=self.account, template_id=template_id))
        return message("Template deleted", rep.template_deleted_links(rep.hypermedia_routes(self.account.name)))
