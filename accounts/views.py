"""API keys on the Blueprint surface: /accounts/{accountName}/keys… (the ``keys`` scope)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema

from accounts import representations as rep
from accounts.selectors import KEY_STATUSES, api_key_get, api_key_page
from accounts.serializers import ApiKeyInputSerializer
from accounts.services import api_key_create, api_key_revoke
from api.openapi import request_body, responses
from api.pagination import PAGE_PARAMETERS, page_params
from api.query import choice_param
from api.responses import hypermedia, message
from api.validation import validated
from api.views import AccountScopedView

STATUS_PARAMETER = OpenApiParameter("status", str, enum=list(KEY_STATUSES))
# The only answer that carries a key's plaintext: no cache (a proxy's, the browser's) may keep it.
NEW_KEY_HEADERS = {"Cache-Control": "no-store"}


def create_key(view, request, routes):
    """The new key's answer (201, its plaintext once), for either surface."""
    data = validated(ApiKeyInputSerializer, request.data)
    api_key, raw_key = api_key_create(
        account=view.account, by=request.auth, name=data["name"], scopes=data["scopes"], expires_at=data["expiresAt"]
    )
    headers = {**NEW_KEY_HEADERS, "Location": routes.detail(api_key.pk)}
    return hypermedia(rep.api_key_created(routes, api_key, raw_key), "new-api-key", status=201, headers=headers)


class ApiKeyCollectionView(AccountScopedView):
    scope = "keys"

    @extend_schema(
        operation_id="api_keys_list",
        parameters=[*PAGE_PARAMETERS, STATUS_PARAMETER],
        responses=responses({200: "api-keys-collection"}, extra_problems=(400,)),
    )
    def get(self, request, account_name):
        params = page_params(request)
        status = choice_param(request, "status", KEY_STATUSES)
        rows, total = api_key_page(account=self.account, status=status, params=params)
        return hypermedia(
            rep.api_keys_page(self.account.name, rows, total, params, status=status), "api-keys-collection"
        )

    @extend_schema(
        operation_id="api_keys_create",
        request=request_body("api-key-input"),
        responses=responses({201: "new-api-key"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request, account_name):
        return create_key(self, request, rep.hypermedia_routes(self.account.name))


class ApiKeyDetailView(AccountScopedView):
    scope = "keys"

    @extend_schema(operation_id="api_keys_retrieve", responses=responses({200: "api-key"}, extra_problems=(404,)))
    def get(self, request, account_name, key_id):
        api_key = api_key_get(account=self.account, key_id=key_id)
        return hypermedia(rep.api_key_detail(rep.hypermedia_routes(self.account.name), api_key), "api-key")


def revoke_view(base, routes_for, operation_id: str):
    """POST …/keys/{keyId}/revoke on either surface: a message, as the other actions answer."""

    @extend_schema(
        operation_id=operation_id, request=None, responses=responses({200: "message"}, extra_problems=(404, 409))
    )
    def post(self, request, key_id, account_name=None):
        api_key = api_key_get(account=self.account, key_id=key_id)
        api_key = api_key_revoke(api_key=api_key, by=request.auth)
        return message("API key revoked", rep.api_key_revoked_links(routes_for(self), api_key))

    return type("ApiKeyRevokeView", (base,), {"scope": "keys", "post": post})


ApiKeyRevokeView = revoke_view(
    AccountScopedView, lambda view: rep.hypermedia_routes(view.account.name), "api_keys_revoke"
)
