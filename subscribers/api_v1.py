"""Contacts on the core REST surface: /api/v1/contacts… (the account's subscribers). Views stay thin:
the writes are subscribers/services.py and subscribers/erasure.py."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.openapi import request_body, responses
from api.responses import hypermedia
from api.v1 import V1View, parse_query
from api.validation import validated
from fields.selectors import field_types
from fields.services import field_values_validate
from subscribers import representations as rep
from subscribers.contacts import CONTACTS
from subscribers.erasure import contact_erase
from subscribers.models import ConsentSource
from subscribers.selectors import consents_of, contact_page, lists_of, subscriber_get
from subscribers.serializers import ContactInputSerializer, replacement
from subscribers.services import ConsentRequest, contact_create, subscriber_replace


def _contact(account, subscriber) -> dict:
    return rep.contact(
        account.name,
        subscriber,
        lists_of([subscriber])[subscriber.pk],
        field_types(account=account),
        consents_of([subscriber])[subscriber.pk],
    )


class V1ContactCollectionView(V1View):
    scope = "lists"

    @extend_schema(
        operation_id="v1_contacts_list",
        parameters=CONTACTS.parameters(),
        responses=responses({200: "contacts-page"}, extra_problems=(400,)),
    )
    def get(self, request):
        query = parse_query(request, CONTACTS)
        page = contact_page(account=self.account, query=query)
        body = rep.contacts_page(
            self.account.name,
            page,
            lists_of(page.rows),
            field_types(account=self.account),
            CONTACTS,
            query,
            consents_of(page.rows),
        )
        return hypermedia(body, "contacts-page")

    @extend_schema(
        operation_id="v1_contacts_create",
        request=request_body("contact-input"),
        responses=responses({201: "subscriber"}, extra_problems=(400, 409, 415)),
    )
    def post(self, request):
        data = validated(ContactInputSerializer, request.data)
        to_set, _ = field_values_validate(account=self.account, entries=data.get("fields"))
        subscriber = contact_create(
            account=self.account,
            email=data["emailAddress"],
            to_set=to_set,
            list_ids=data["lists"],
            resubscribe=data["resubscribe"],
            consent=ConsentRequest.of(ConsentSource.API, request),
        )
        return hypermedia(
            _contact(self.account, subscriber),
            "subscriber",
            status=201,
            headers={"Location": rep.contact_href(subscriber.email_md5)},
        )


class V1ContactDetailView(V1View):
    scope = "lists"

    @extend_schema(operation_id="v1_contacts_retrieve", responses=responses({200: "subscriber"}, extra_problems=(404,)))
    def get(self, request, email_md5):
        subscriber = subscriber_get(account=self.account, email_md5=email_md5)
        return hypermedia(_contact(self.account, subscriber), "subscriber", last_modified=subscriber.updated_at)

    @extend_schema(
        operation_id="v1_contacts_update",
        request=request_body("subscriber-input"),
        responses=responses({200: "subscriber"}, extra_problems=(400, 404, 409, 415)),
    )
    def put(self, request, email_md5):
        subscriber = subscriber_get(account=self.account, email_md5=email_md5)
        subscriber = subscriber_replace(
            subscriber=subscriber,
            consent=ConsentRequest.of(ConsentSource.API, request),
            **replacement(self.account, request.data),
        )
        md5 = subscriber.email_md5
        headers = {"Location": rep.contact_href(md5)} if md5 != email_md5 else None
        return hypermedia(_contact(self.account, subscriber), "subscriber", headers=headers)

    @extend_schema(operation_id="v1_contacts_erase", responses=responses({204: None}, extra_problems=(404,)))
    def delete(self, request, email_md5):
        contact_erase(subscriber=subscriber_get(account=self.account, email_md5=email_md5))
        return Response(status=204)
