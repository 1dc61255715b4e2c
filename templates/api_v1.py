"""Templates on the core REST surface: /api/v1/templates… The same services as the Blueprint surface."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.openapi import request_body, responses
from api.responses import hypermedia
from api.v1 import V1View, parse_query
from api.validation import validated
from templates import representations as rep
from templates.selectors import TEMPLATES, template_get, template_v1_page
from templates.serializers import TemplateInputSerializer
from templates.services import template_create, template_delete, template_update

ROUTES = rep.V1_ROUTES


class V1TemplateCollectionView(V1View):
    scope = "campaigns"

    @extend_schema(
        operation_id="v1_templates_list",
        parameters=TEMPLATES.parameters(),
        responses=responses({200: "templates-page"}, extra_problems=(400,)),
    )
    def get(self, request):
        query = parse_query(request, TEMPLATES)
        page = template_v1_page(account=self.account, query=query)
        return hypermedia(rep.templates_v1_page(page, TEMPLATES, query), "templates-page")

    @extend_schema(
        operation_id="v1_templates_create",
        request=request_body("template-input"),
        responses=responses({201: "template"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request):
        template = template_create(account=self.account, **validated(TemplateInputSerializer, request.data))
        return hypermedia(
            rep.template_detail(ROUTES, template),
            "template",
            status=201,
            headers={"Location": ROUTES.detail(template.pk)},
        )


class V1TemplateDetailView(V1View):
    scope = "campaigns"

    @extend_schema(operation_id="v1_templates_retrieve", responses=responses({200: "template"}, extra_problems=(404,)))
    def get(self, request, template_id):
        return hypermedia(
            rep.template_detail(ROUTES, template_get(account=self.account, template_id=template_id)), "template"
        )

    @extend_schema(
        operation_id="v1_templates_update",
        request=request_body("template-input"),
        responses=responses({200: "template"}, extra_problems=(400, 404, 415)),
    )
    def put(self, request, template_id):
        template = template_get(account=self.account, template_id=template_id)
        template = template_update(template=template, **validated(TemplateInputSerializer, request.data))
        return hypermedia(rep.template_detail(ROUTES, template), "template")

    @extend_schema(operation_id="v1_templates_destroy", responses=responses({204: None}, extra_problems=(404, 409)))
    def delete(self, request, template_id):
        template_delete(template=template_get(account=self.account, template_id=template_id))
        return Response(status=204)
