from drf_spectacular.utils import OpenApiParameter, extend_schema

from api.openapi import request_body, responses
from api.pagination import PAGE_PARAMETERS, page_params
from api.problems import NOT_FOUND, ApiProblem
from api.query import choice_param
from api.responses import hypermedia, message
from api.validation import validated
from api.views import AccountScopedView
from fields.selectors import field_types
from fields.services import field_values_validate
from lists.selectors import list_get
from subscribers import representations as rep
from subscribers.models import STATUS_FILTERS, ConsentSource
from subscribers.selectors import consents_of, list_subscriber_page, lists_of, subscriber_get, subscriber_page
from subscribers.serializers import SubscribeSerializer, UnsubscribeSerializer, replacement
from subscribers.services import (
    ConsentRequest,
    subscriber_remove_from_list,
    subscriber_replace,
    subscriber_unsubscribe,
    subscription_request,
)

MISSING_EMAIL = "To add a subscriber to a list email address is required."


class ListSubscribersView(AccountScopedView):
    scope = "lists"

    @extend_schema(
        operation_id="list_subscribers_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: "subscribers-collection"}, extra_problems=(400, 404)),
    )
    def get(self, request, account_name, list_id):
        mailing_list = list_get(account=self.account, list_id=list_id)
        params = page_params(request)
        rows, total = list_subscriber_page(mailing_list=mailing_list, params=params)
        body = rep.list_subscribers_page(self.account.name, list_id, rows, lists_of(rows), total, params)
        return hypermedia(body, "subscribers-collection")

    @extend_schema(
        operation_id="list_subscribers_subscribe",
        request=request_body("subscribe-input"),
        responses=responses({201: "message", 200: "message"}, extra_problems=(400, 404, 409, 415)),
    )
    def post(self, request, account_name, list_id):
        mailing_list = list_get(account=self.account, list_id=list_id)
        data = validated(SubscribeSerializer, request.data, missing_detail=MISSING_EMAIL)
        to_set, to_unset = field_values_validate(account=self.account, entries=data.get("fields"))
        done = subscription_request(
            account=self.account,
            mailing_list=mailing_list,
            email=data["emailAddress"],
            to_set=to_set,
            to_unset=to_unset,
            resubscribe=data["resubscribe"],
            consent=ConsentRequest.of(ConsentSource.API, request),
        )
        name, md5, created = self.account.name, done.subscriber.email_md5, done.created
        text = "Subscriber successfully created" if created else "Subscriber successfully updated"
        if done.pending:
            text += "; the membership is pending until the address confirms it"
        return message(
            text,
            rep.subscribed_links(name, md5, list_id, created=created, pending=done.pending),
            status=201 if created else 200,
            headers={"Location": rep.subscriber_href(name, md5)},
        )


class ListSubscriberView(AccountScopedView):
    scope = "lists"

    @extend_schema(operation_id="list_subscribers_remove", responses=responses({200: "message"}, extra_problems=(404,)))
    def delete(self, request, account_name, list_id, email_md5):
        mailing_list = list_get(account=self.account, list_id=list_id)
        subscriber = subscriber_get(account=self.account, email_md5=email_md5)
        if not subscriber_remove_from_list(subscriber=subscriber, mailing_list=mailing_list):
            raise ApiProblem(NOT_FOUND, f"{subscriber.email_md5} is not a member of list {list_id}.")
        return message(
            "Subscriber successfully removed from the list",
            rep.removed_links(self.account.name, subscriber.email_md5, list_id),
        )


class SubscriberCollectionView(AccountScopedView):
    scope = "lists"

    @extend_schema(
        operation_id="subscribers_list",
        parameters=[*PAGE_PARAMETERS, OpenApiParameter("status", str, enum=list(STATUS_FILTERS))],
        responses=responses({200: "subscribers-collection"}, extra_problems=(400,)),
    )
    def get(self, request, account_name):
        params = page_params(request)
        status = choice_param(request, "status", STATUS_FILTERS)
        rows, total = subscriber_page(account=self.account, status=status, params=params)
        body = rep.subscribers_page(self.account.name, rows, lists_of(rows), total, params, status=status)
        return hypermedia(body, "subscribers-collection")


class SubscriberDetailView(AccountScopedView):
    scope = "lists"

    @extend_schema(operation_id="subscribers_retrieve", responses=responses({200: "subscriber"}, extra_problems=(404,)))
    def get(self, request, account_name, email_md5):
        subscriber = subscriber_get(account=self.account, email_md5=email_md5)
        body = rep.subscriber_detail(
            self.account.name,
            subscriber,
            lists_of([subscriber])[subscriber.pk],
            field_types(account=self.account),
            consents_of([subscriber])[subscriber.pk],
        )
        return hypermedia(body, "subscriber", last_modified=subscriber.updated_at)

    @extend_schema(
        operation_id="subscribers_update",
        request=request_body("subscriber-input"),
        responses=responses({200: "message"}, extra_problems=(400, 404, 409, 415)),
    )
    def put(self, request, account_name, email_md5):
        subscriber = subscriber_get(account=self.account, email_md5=email_md5)
        subscriber = subscriber_replace(
            subscriber=subscriber,
            consent=ConsentRequest.of(ConsentSource.API, request),
            **replacement(self.account, request.data),
        )
        name, md5 = self.account.name, subscriber.email_md5
        headers = {"Location": rep.subscriber_href(name, md5)} if md5 != email_md5 else None
        return message(
            "Subscriber updated successfully",
            rep.edited_links(name, md5, lists_of([subscriber])[subscriber.pk]),
            headers=headers,
        )


class SubscriberUnsubscribeView(AccountScopedView):
    scope = "lists"

    @extend_schema(
        operation_id="subscribers_unsubscribe",
        request=request_body("unsubscribe-input"),
        responses=responses({200: "message"}, extra_problems=(400, 404, 415)),
    )
    def post(self, request, account_name, email_md5):
        subscriber = subscriber_get(account=self.account, email_md5=email_md5)
        data = validated(UnsubscribeSerializer, request.data)
        changed = subscriber_unsubscribe(
            subscriber=subscriber, reason=data.get("reason") or None, origin=data["origin"]
        )
        return message(
            "Subscriber unsubscribed successfully" if changed else "Subscriber was already unsubscribed",
            rep.unsubscribed_links(self.account.name, subscriber.email_md5),
        )
