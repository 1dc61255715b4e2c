"""The audit trail on the core REST surface: /api/v1/audit."""

from drf_spectacular.utils import extend_schema

from api.openapi import responses
from api.responses import hypermedia
from api.v1 import V1View, parse_query
from audit import representations as rep
from audit.selectors import AUDIT, audit_v1_page


class V1AuditCollectionView(V1View):
    scope = "audit"

    @extend_schema(
        operation_id="v1_audit_list",
        parameters=AUDIT.parameters(),
        responses=responses({200: "audit-page"}, extra_problems=(400,)),
    )
    def get(self, request):
        query = parse_query(request, AUDIT)
        page = audit_v1_page(account=self.account, query=query)
        return hypermedia(rep.audit_v1_page_body(page, AUDIT, query), "audit-page")
