"""Segments on the Blueprint surface: /accounts/{accountName}/segments…"""

from drf_spectacular.utils import extend_schema

from api.openapi import request_body, responses
from api.pagination import PAGE_PARAMETERS, page_params
from api.responses import hypermedia, message
from api.validation import validated
from api.views import AccountScopedView
from segments import representations as rep
from segments.selectors import segment_get, segment_page, segment_subscriber_page, tree_checked, tree_count
from segments.serializers import ConditionTreeSerializer, SegmentInputSerializer
from segments.services import segment_create, segment_delete, segment_update
from subscribers.selectors import lists_of


def count_body(account, routes, data) -> dict:
    """POST …/segments/count: what a tree matches now, without saving it."""
    tree = tree_checked(account=account, match=data["match"], conditions=data["conditions"])
    total, active = tree_count(account=account, tree=tree)
    return rep.segment_count(routes, tree, total, active)


class SegmentCollectionView(AccountScopedView):
    scope = "lists"

    @extend_schema(
        operation_id="segments_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: "segments-collection"}, extra_problems=(400,)),
    )
    def get(self, request, account_name):
        params = page_params(request)
        rows, total = segment_page(account=self.account, params=params)
        return hypermedia(rep.segments_page(self.account.name, rows, total, params), "segments-collection")

    @extend_schema(
        operation_id="segments_create",
        request=request_body("segment-input"),
        responses=responses({201: "message"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request, account_name):
        data = validated(SegmentInputSerializer, request.data)
        segment = segment_create(account=self.account, **data)
        routes = rep.hypermedia_routes(self.account.name)
        return message(
            "Segment created",
            rep.segment_written_links(routes, segment),
            status=201,
            headers={"Location": routes.detail(segment.pk)},
        )


class SegmentCountView(AccountScopedView):
    scope = "lists:read"

    @extend_schema(
        operation_id="segments_count",
        request=request_body("segment-conditions"),
        responses=responses({200: "segment-count"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request, account_name):
        data = validated(ConditionTreeSerializer, request.data)
        body = count_body(self.account, rep.hypermedia_routes(self.account.name), data)
        return hypermedia(body, "segment-count")


class SegmentDetailView(AccountScopedView):
    scope = "lists"

    @extend_schema(operation_id="segments_retrieve", responses=responses({200: "segment"}, extra_problems=(404,)))
    def get(self, request, account_name, segment_id):
        segment = segment_get(account=self.account, segment_id=segment_id)
        return hypermedia(rep.segment_detail(rep.hypermedia_routes(self.account.name), segment), "segment")

    @extend_schema(
        operation_id="segments_update",
        request=request_body("segment-input"),
        responses=responses({200: "message"}, extra_problems=(400, 404, 415)),
    )
    def put(self, request, account_name, segment_id):
        segment = segment_get(account=self.account, segment_id=segment_id)
        segment = segment_update(segment=segment, **validated(SegmentInputSerializer, request.data))
        return message("Segment updated", rep.segment_written_links(rep.hypermedia_routes(self.account.name), segment))

    @extend_schema(operation_id="segments_destroy", responses=responses({200: "message"}, extra_problems=(404, 409)))
    def delete(self, request, account_name, segment_id):
        segment_delete(segment=segment_get(account=self.account, segment_id=segment_id))
        return message("Segment deleted", rep.segment_deleted_links(rep.hypermedia_routes(self.account.name)))


class SegmentSubscribersView(AccountScopedView):
    scope = "lists"

    @extend_schema(
        operation_id="segments_subscribers",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: "subscribers-collection"}, extra_problems=(400, 404)),
    )
    def get(self, request, account_name, segment_id):
        params = page_params(request)
        segment = segment_get(account=self.account, segment_id=segment_id)
        rows, total = segment_subscriber_page(account=self.account, segment=segment, params=params)
        body = rep.segment_subscribers_page(self.account.name, segment, rows, lists_of(rows), total, params)
        return hypermedia(body, "subscribers-collection")
