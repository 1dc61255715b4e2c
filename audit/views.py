"""The audit trail on the Blueprint surface: /accounts/{accountName}/audit."""

from drf_spectacular.utils import OpenApiParameter, extend_schema

from api.openapi import responses
from api.pagination import PAGE_PARAMETERS, page_params
from api.responses import hypermedia
from api.views import AccountScopedView
from audit import representations as rep
from audit.selectors import AUDIT, audit_filters, audit_page

FILTER_PARAMETERS = [OpenApiParameter(name, str, description=spec.describe) for name, spec in AUDIT.filters.items()]


class AuditCollectionView(AccountScopedView):
    scope = "audit"

    @extend_schema(
        operation_id="audit_list",
        parameters=[*PAGE_PARAMETERS, *FILTER_PARAMETERS],
        responses=responses({200: "audit-trail"}, extra_problems=(400,)),
    )
    def get(self, request, account_name):
        params = page_params(request)
        filters = audit_filters(request)
        rows, total = audit_page(account=self.account, filters=filters["parsed"], params=params)
        return hypermedia(rep.audit_page_body(self.account.name, rows, total, params, filters["raw"]), "audit-trail")
