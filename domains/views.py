"""Sending domains on the Blueprint surface: /accounts/{accountName}/domains…"""

from drf_spectacular.utils import extend_schema

from api.openapi import request_body, responses
from api.pagination import PAGE_PARAMETERS, page_params
from api.responses import hypermedia, message
from api.validation import validated
from api.views import AccountScopedView
from domains import representations as rep
from domains.selectors import domain_get, domain_page
from domains.serializers import DomainInputSerializer
from domains.services import domain_create, domain_delete, domain_verify


class DomainCollectionView(AccountScopedView):
    scope = "campaigns"

    @extend_schema(
        operation_id="domains_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: "domains-collection"}, extra_problems=(400,)),
    )
    def get(self, request, account_name):
        params = page_params(request)
        rows, total = domain_page(account=self.account, params=params)
        return hypermedia(rep.domains_page(self.account.name, rows, total, params), "domains-collection")

    @extend_schema(
        operation_id="domains_create",
        request=request_body("domain-input"),
        responses=responses({201: "message"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request, account_name):
        data = validated(DomainInputSerializer, request.data)
        domain = domain_create(account=self.account, name=data["domain"])
        routes = rep.hypermedia_routes(self.account.name)
        return message(
            "Sending domain added: publish its DNS records, then verify it",
            rep.domain_written_links(routes, domain),
            status=201,
            headers={"Location": routes.detail(domain.pk)},
        )


class DomainDetailView(AccountScopedView):
    scope = "campaigns"

    @extend_schema(operation_id="domains_retrieve", responses=responses({200: "domain"}, extra_problems=(404,)))
    def get(self, request, account_name, domain_id):
        domain = domain_get(account=self.account, domain_id=domain_id)
        return hypermedia(rep.domain_detail(rep.hypermedia_routes(self.account.name), domain), "domain")

    @extend_schema(operation_id="domains_destroy", responses=responses({200: "message"}, extra_problems=(404,)))
    def delete(self, request, account_name, domain_id):
        domain_delete(domain=domain_get(account=self.account, domain_id=domain_id))
        return message("Sending domain deleted", rep.domain_deleted_links(rep.hypermedia_routes(self.account.name)))


class DomainVerifyView(AccountScopedView):
    scope = "campaigns"

    @extend_schema(
        operation_id="domains_verify", request=None, responses=responses({200: "domain"}, extra_problems=(404,))
    )
    def post(self, request, account_name, domain_id):
        domain = domain_verify(domain=domain_get(account=self.account, domain_id=domain_id))
        return hypermedia(rep.domain_detail(rep.hypermedia_routes(self.account.name), domain), "domain")
