"""/api/v1/emails on the core REST surface: POST …/send (a single email), GET the collection (campaigns'
messages and single emails) and GET one with its events. Thin: parse, call a service or a selector, render."""

from drf_spectacular.utils import OpenApiParameter, extend_schema

from api.openapi import request_body, responses
from api.responses import hypermedia
from api.v1 import V1View, parse_query
from api.validation import validated
from emails.representations import email_detail, email_href, emails_page
from emails.selectors import EMAILS, email_events, email_get, email_page
from emails.serializers import IDEMPOTENCY_KEY_SCHEMA, SendEmailSerializer, idempotency_key
from emails.services import Answer, email_send, idempotent


class V1EmailSendView(V1View):
    scope = "emails"

    @extend_schema(
        operation_id="v1_emails_send",
        request=request_body("email-send-input"),
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                IDEMPOTENCY_KEY_SCHEMA,
                OpenApiParameter.HEADER,
                description="Within 24 hours the same key and body answer the "
                "first response again; another body is 422.2.",
            )
        ],
        responses=responses({202: "email"}, extra_problems=(400, 415, 422)),
    )
    def post(self, request):
        answer = idempotent(
            account=self.account,
            key=idempotency_key(request),
            payload=request.data,
            respond=lambda: self._send(request),
        )
        response = hypermedia(answer.body, "email", status=answer.status, headers=answer.headers)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _send(self, request) -> Answer:
        data = validated(SendEmailSerializer, request.data)
        message = email_send(
            account=self.account,
            to=data["to"],
            subject=data["subject"],
            html=data["html"],
            text=data["text"],
            from_name=data["fromName"],
            from_email=data.get("fromEmail"),
            reply_to=data.get("replyTo"),
            values=data["values"],
        )
        # The queued message as written (with its content): nothing has happened to it yet.
        return Answer(202, email_detail(message), {"Location": email_href(message.pk)})


class V1EmailCollectionView(V1View):
    scope = "emails"

    @extend_schema(
        operation_id="v1_emails_list",
        parameters=EMAILS.parameters(),
        responses=responses({200: "emails-page"}, extra_problems=(400,)),
    )
    def get(self, request):
        query = parse_query(request, EMAILS)
        page = email_page(account=self.account, query=query)
        return hypermedia(emails_page(page, EMAILS, query), "emails-page")


class V1EmailDetailView(V1View):
    scope = "emails"

    @extend_schema(operation_id="v1_emails_retrieve", responses=responses({200: "email"}, extra_problems=(404,)))
    def get(self, request, email_id):
        message = email_get(account=self.account, email_id=email_id)
        return hypermedia(email_detail(message, events=email_events(message)), "email")
