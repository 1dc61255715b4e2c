"""Sending domains on the core REST surface: /api/v1/domains… The same services as the Blueprint surface."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.openapi import request_body, responses
from api.responses import hypermedia
from api.v1 import V1View, parse_query
from api.validation import validated
from domains import representations as rep
from domains.selectors import DOMAINS, domain_get, domain_v1_page
from domains.serializers import DomainInputSerializer
from domains.services import domain_create, domain_delete, domain_verify

ROUTES = rep.V1_ROUTES


class V1DomainCollectionView(V1View):
    scope = "campaigns"

    @extend_schema(
        operation_id="v1_domains_list",
        parameters=DOMAINS.parameters(),
        responses=responses({200: "domains-page"}, extra_problems=(400,)),
    )
    def get(self, request):
        query = parse_query(request, DOMAINS)
        return hypermedia(
            rep.domains_v1_page(domain_v1_page(account=self.account, query=query), DOMAINS, query), "domains-page"
        )

    @extend_schema(
        operation_id="v1_domains_create",
        request=request_body("domain-input"),
        responses=responses({201: "domain"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request):
        data = validated(DomainInputSerializer, request.data)
        domain = domain_create(account=self.account, name=data["domain"])
        return hypermedia(
            rep.domain_detail(ROUTES, domain), "domain", status=201, headers={"Location": ROUTES.detail(domain.pk)}
        )


class V1DomainDetailView(V1View):
    scope = "campaigns"

    @extend_schema(operation_id="v1_domains_retrieve", responses=responses({200: "domain"}, extra_problems=(404,)))
    def get(self, request, domain_id):
        return hypermedia(rep.domain_detail(ROUTES, domain_get(account=self.account, domain_id=domain_id)), "domain")

    @extend_schema(operation_id="v1_domains_destroy", responses=responses({204: None}, extra_problems=(404,)))
    def delete(self, request, domain_id):
        domain_delete(domain=domain_get(account=self.account, domain_id=domain_id))
        return Response(status=204)


class V1DomainVerifyView(V1View):
    scope = "campaigns"

    @extend_schema(
        operation_id="v1_domains_verify", request=None, responses=responses({200: "domain"}, extra_problems=(404,))
    )
    def post(self, request, domain_id):
        domain = domain_verify(domain=domain_get(account=self.account, domain_id=domain_id))
        return hypermedia(rep.domain_detail(ROUTES, domain), "domain")
