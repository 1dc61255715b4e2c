"""POST /api/v1/webhooks/bounces: the mail server (or its relay) reports asynchronous bounces and
complaints. Authenticated with the shared secret BOUNCE_WEBHOOK_SECRET, not an API key."""

import hmac

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from api.openapi import request_body, responses
from api.problems import NOT_FOUND, VALIDATION_ERROR, ApiProblem
from api.responses import hypermedia
from api.validation import validated
from campaigns.problems import WEBHOOK_SECRET_INVALID
from campaigns.tracking import message_for_header, report_delivery_problem

MAX_REPORTS = 1000


class BounceReportSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["hard-bounce", "soft-bounce", "complaint"])
    messageId = serializers.CharField(max_length=998)
    detail = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    occurredAt = serializers.DateTimeField(required=False, allow_null=True, default=None)


def _check_secret(request) -> None:
    secret = settings.BOUNCE_WEBHOOK_SECRET
    if not secret:
        raise ApiProblem(NOT_FOUND, "The bounce webhook is off: set BOUNCE_WEBHOOK_SECRET to turn it on.")
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), secret.encode()):
        raise ApiProblem(
            WEBHOOK_SECRET_INVALID,
            "Send the webhook secret as `Authorization: Bearer SECRET`.",
            headers={"WWW-Authenticate": 'Bearer realm="bounce-webhook"'},
        )


class BounceWebhookView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        operation_id="v1_webhooks_bounces",
        request=request_body("bounce-report"),
        auth=[],
        responses=responses({200: "bounce-report-result"}, problems=(), extra_problems=(400, 401, 404, 406, 413, 415)),
    )
    def post(self, request):
        _check_secret(request)
        reports = request.data if isinstance(request.data, list) else [request.data]
        if not reports or len(reports) > MAX_REPORTS:
            raise ApiProblem(
                VALIDATION_ERROR,
                f"Send one report or an array of 1 to {MAX_REPORTS}.",
                errors=[{"field": None, "detail": f"1 to {MAX_REPORTS} reports"}],
            )
        checked = [validated(BounceReportSerializer, report) for report in reports]
        results, recorded = [], 0
        for report in checked:
            message = message_for_header(report["messageId"])
            if message is None:
                outcome = "unknown-message"
            elif report_delivery_problem(
                message=message, type=report["type"], detail=report["detail"], at=report["occurredAt"] or timezone.now()
            ):
                outcome, recorded = "recorded", recorded + 1
            else:
                outcome = "already-recorded"
            results.append({"messageId": report["messageId"], "outcome": outcome})
        return hypermedia({"recorded": recorded, "results": results, "_links": []}, "bounce-report-result")
