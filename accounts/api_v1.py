"""API keys on the core REST surface: /api/v1/keys… The same services as the Blueprint surface."""

from drf_spectacular.utils import extend_schema

from accounts import representations as rep
from accounts.selectors import API_KEYS, api_key_get, api_key_v1_page
from accounts.views import create_key, revoke_view
from api.openapi import request_body, responses
from api.responses import hypermedia
from api.v1 import V1View, parse_query

ROUTES = rep.V1_ROUTES


class V1ApiKeyCollectionView(V1View):
    scope = "keys"

    @extend_schema(
        operation_id="v1_api_keys_list",
        parameters=API_KEYS.parameters(),
        responses=responses({200: "api-keys-page"}, extra_problems=(400,)),
    )
    def get(self, request):
        query = parse_query(request, API_KEYS)
        page = api_key_v1_page(account=self.account, query=query)
        return hypermedia(rep.api_keys_v1_page(page, API_KEYS, query), "api-keys-page")

    @extend_schema(
        operation_id="v1_api_keys_create",
        request=request_body("api-key-input"),
        responses=responses({201: "new-api-key"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request):
        return create_key(self, request, ROUTES)


class V1ApiKeyDetailView(V1View):
    scope = "keys"

    @extend_schema(operation_id="v1_api_keys_retrieve", responses=responses({200: "api-key"}, extra_problems=(404,)))
    def get(self, request, key_id):
        return hypermedia(rep.api_key_detail(ROUTES, api_key_get(account=self.account, key_id=key_id)), "api-key")


V1ApiKeyRevokeView = revoke_view(V1View, lambda view: ROUTES, "v1_api_keys_revoke")
