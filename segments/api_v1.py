"""Segments on the core REST surface: /api/v1/segments… The same services as the Blueprint surface."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.openapi import request_body, responses
from api.responses import hypermedia
from api.v1 import V1View, parse_query
from api.validation import validated
from fields.selectors import field_types
from segments import representations as rep
from segments.selectors import SEGMENT_CONTACTS, SEGMENTS, segment_contact_page, segment_get, segment_v1_page
from segments.serializers import ConditionTreeSerializer, SegmentInputSerializer
from segments.services import segment_create, segment_delete, segment_update
from segments.views import count_body
from subscribers.selectors import lists_of

ROUTES = rep.V1_ROUTES


class V1SegmentCollectionView(V1View):
    scope = "lists"

    @extend_schema(
        operation_id="v1_segments_list",
        parameters=SEGMENTS.parameters(),
        responses=responses({200: "segments-page"}, extra_problems=(400,)),
    )
    def get(self, request):
        query = parse_query(request, SEGMENTS)
        page = segment_v1_page(account=self.account, query=query)
        return hypermedia(rep.segments_v1_page(page, SEGMENTS, query), "segments-page")

    @extend_schema(
        operation_id="v1_segments_create",
        request=request_body("segment-input"),
        responses=responses({201: "segment"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request):
        segment = segment_create(account=self.account, **validated(SegmentInputSerializer, request.data))
        return hypermedia(
            rep.segment_detail(ROUTES, segment), "segment", status=201, headers={"Location": ROUTES.detail(segment.pk)}
        )


class V1SegmentCountView(V1View):
    scope = "lists:read"

    @extend_schema(
        operation_id="v1_segments_count",
        request=request_body("segment-conditions"),
        responses=responses({200: "segment-count"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request):
        return hypermedia(
            count_body(self.account, ROUTES, validated(ConditionTreeSerializer, request.data)), "segment-count"
        )


class V1SegmentDetailView(V1View):
    scope = "lists"

    @extend_schema(operation_id="v1_segments_retrieve", responses=responses({200: "segment"}, extra_problems=(404,)))
    def get(self, request, segment_id):
        return hypermedia(
            rep.segment_detail(ROUTES, segment_get(account=self.account, segment_id=segment_id)), "segment"
        )

    @extend_schema(
        operation_id="v1_segments_update",
        request=request_body("segment-input"),
        responses=responses({200: "segment"}, extra_problems=(400, 404, 415)),
    )
    def put(self, request, segment_id):
        segment = segment_get(account=self.account, segment_id=segment_id)
        segment = segment_update(segment=segment, **validated(SegmentInputSerializer, request.data))
        return hypermedia(rep.segment_detail(ROUTES, segment), "segment")

    @extend_schema(operation_id="v1_segments_destroy", responses=responses({204: None}, extra_problems=(404, 409)))
    def delete(self, request, segment_id):
        segment_delete(segment=segment_get(account=self.account, segment_id=segment_id))
        return Response(status=204)


class V1SegmentContactsView(V1View):
    scope = "lists"

    @extend_schema(
        operation_id="v1_segments_contacts",
        parameters=SEGMENT_CONTACTS.parameters(),
        responses=responses({200: "contacts-page"}, extra_problems=(400, 404)),
    )
    def get(self, request, segment_id):
        query = parse_query(request, SEGMENT_CONTACTS)
        segment = segment_get(account=self.account, segment_id=segment_id)
        page = segment_contact_page(account=self.account, segment=segment, query=query)
        body = rep.segment_contacts_page(
            self.account.name,
            segment,
            page,
            lists_of(page.rows),
            field_types(account=self.account),
            SEGMENT_CONTACTS,
            query,
        )
        return hypermedia(body, "contacts-page")
