"""Emails on the core REST surface: POST /api/v1/emails/send (a single email), GET /api/v1/emails (campaign
messages and single emails) and GET /api/v1/emails/{id} with its events. Writes are campaigns/emails.py."""
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from api.formats import iso as _iso
from api.links import link
from api.openapi import request_body, responses
from api.problems import INVALID_PARAMETER, NOT_FOUND, VALIDATION_ERROR, ApiProblem
from api.responses import hypermedia
from api.v1 import Collection, Filter, Sort, V1View, apply_filters, choice, date_time, envelope, page_of, parse_query
from api.validation import validated
from campaigns import emails
from campaigns.models import Event, EventType, IdempotencyKey, Message, MessageStatus
from campaigns.problems import IDEMPOTENCY_KEY_REUSED, RECIPIENT_SUPPRESSED
from campaigns.selectors import message_count
from subscribers.emails import InvalidEmail, normalize_email
from subscribers.serializers import EmailAddressField

PUBLIC_STATUS = {MessageStatus.HARD_BOUNCE: "bounced", MessageStatus.SOFT_BOUNCE: "bounced"}
STATUSES = ["queued", "sending", "sent", "bounced", "skipped", "failed", "unknown", "canceled"]
EVENT_NAMES = {EventType.OPEN: "opened", EventType.CLICK: "clicked", EventType.UNSUBSCRIBE: "unsubscribed",
               EventType.HARD_BOUNCE: "bounced", EventType.SOFT_BOUNCE: "bounced", EventType.COMPLAINT: "complained"}
KEY_MAX = 255


def emails_href() -> str:
    return "/api/v1/emails"


def email_href(message_id: int) -> str:
    return f"/api/v1/emails/{message_id}"


def _status_rows(rows, status: str):
    if status == "bounced":
        return rows.filter(status__in=[MessageStatus.HARD_BOUNCE, MessageStatus.SOFT_BOUNCE])
    return rows.filter(status=status)


def _campaign(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 2**62:
        raise ValueError("must be a campaign id")
    return int(raw)


def _recipient(raw: str) -> str:
    try:
        return normalize_email(raw).address
    except InvalidEmail as exc:
        raise ValueError(f"must be an email address ({exc})") from None


EMAILS = Collection(
    "emails",
    sorts={"id": Sort("id", kind="int"), "sentAt": Sort("sent_at", nullable=True, kind="datetime")},
    filters={
        "status": Filter(choice(STATUSES), _status_rows, "One of " + ", ".join(STATUSES) + "."),
        "campaign": Filter(_campaign, lambda rows, pk: rows.filter(campaign_id=pk),
                           "A campaign id: that campaign's messages."),
        "recipient": Filter(_recipient, lambda rows, address: rows.filter(to_email=address),
                            "An email address: the messages to it."),
        "sent_before": Filter(date_time, lambda rows, at: rows.filter(sent_at__lt=at),
                              "ISO 8601 date or date-time: sent before it."),
        "sent_after": Filter(date_time, lambda rows, at: rows.filter(sent_at__gte=at),
                             "ISO 8601 date or date-time: sent at or after it."),
    },
)


def email_summary(message: Message) -> dict:
    single = getattr(message, "single", None) if message.campaign_id is None else None
    subject = single.subject if single else (message.campaign.subject if message.campaign else "")
    links = [link(email_href(message.pk), "self /rels/email", "This email")]
    if message.campaign_id:
        links.append(link(f"/api/v1/campaigns/{message.campaign_id}", "/rels/campaign", "Its campaign"))
    return {
        "emailId": message.pk,
        "to": message.to_email,
        "subject": subject,
        "campaignId": message.campaign_id,
        "status": PUBLIC_STATUS.get(message.status, message.status),
        "attempts": message.attempts,
        "createdAt": _iso(message.created_at),
        "sentAt": _iso(message.sent_at),
        "_links": links,
    }


def email_detail(message: Message, *, events=None) -> dict:
    """``events``: the message's events when the caller knows them (none for one just queued)."""
    body = email_summary(message)
    timeline = []
    if message.sent_at:
        timeline.append({"type": "sent", "at": _iso(message.sent_at)})
    if events is None:
        events = Event.objects.filter(message_id=message.pk).order_by("at", "id")
    for event in events:
        item = {"type": EVENT_NAMES.get(event.type, event.type), "at": _iso(event.at)}
        if event.url:
            item["url"] = event.url
        if event.detail:
            item["detail"] = event.detail
        timeline.append(item)
    timeline.sort(key=lambda item: item["at"])
    single = getattr(message, "single", None) if message.campaign_id is None else None
    body.update(fromName=single.from_name if single else message.campaign.from_name if message.campaign else "",
                fromEmail=single.from_email if single else message.campaign.from_email if message.campaign else "",
                events=timeline)
    body["_links"].append(link(emails_href(), "collection /rels/emails-collection", "The account's emails"))
    return body


class SendEmailSerializer(serializers.Serializer):
    to = EmailAddressField()
    subject = serializers.CharField(max_length=500)
    html = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    text = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    fromName = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    fromEmail = EmailAddressField(required=False)
    replyTo = EmailAddressField(required=False)
    values = serializers.DictField(child=serializers.JSONField(), required=False, default=dict)

    def validate_values(self, values):
        if len(values) > 200:
            raise serializers.ValidationError("at most 200 values")
        for name, value in values.items():
            if not name or len(name) > 100 or "{" in name or "}" in name or "|" in name:
                raise serializers.ValidationError(f"'{name}' is not a merge tag name")
            if isinstance(value, (dict, list)):
                raise serializers.ValidationError(f"'{name}' must be a string, number, boolean or null")
        return values

    def validate(self, data):
        if not data["html"].strip() and not data["text"].strip():
            raise serializers.ValidationError({"html": "html or text is required"})
        return data


def _from_email(account, data) -> str:
    if data.get("fromEmail"):
        return data["fromEmail"].address
    try:
        return normalize_email(account.name).address
    except InvalidEmail:
        raise ApiProblem(VALIDATION_ERROR, "fromEmail is required: the account's name is not an email address.",
                         errors=[{"field": "fromEmail", "detail": "This field is required."}]) from None


IDEMPOTENCY_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": KEY_MAX,
                          "pattern": "^[!-~]([ -~]*[!-~])?$"}  # printable ASCII, no blank at either end


def _idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > KEY_MAX or not key.isprintable():
        raise ApiProblem(INVALID_PARAMETER, f"'Idempotency-Key' must be 1 to {KEY_MAX} printable characters.",
                         errors=[{"field": "Idempotency-Key", "detail": f"1 to {KEY_MAX} printable characters"}])
    return key


def _replay(stored: IdempotencyKey, digest: str):
    if stored.payload_hash != digest:
        raise ApiProblem(IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was used with another request body in the "
                         "last 24 hours; nothing was sent.")
    response = hypermedia(stored.body, "email", status=stored.status_code, headers=stored.headers)
    response["Idempotent-Replayed"] = "true"
    return response


class V1EmailSendView(V1View):
    @extend_schema(operation_id="v1_emails_send", request=request_body("email-send-input"),
                   parameters=[OpenApiParameter("Idempotency-Key", IDEMPOTENCY_KEY_SCHEMA, OpenApiParameter.HEADER,
                                                description="Within 24 hours the same key and body answer the "
                                                            "first response again; another body is 422.2.")],
                   responses=responses({202: "email"}, extra_problems=(400, 415, 422)))
    def post(self, request):
        key = _idempotency_key(request)
        digest = emails.payload_hash(request.data)
        if key is None:
            return self._send(request)
        with transaction.atomic():
            stored = emails.idempotent_get(self.account, key)
            if stored is not None:
                return _replay(stored, digest)
            try:  # the key's row first: a concurrent request with the same key waits here, then replays
                with transaction.atomic():
                    stored = IdempotencyKey.objects.create(account=self.account, key=key, payload_hash=digest,
                                                           status_code=0, body={})
            except IntegrityError:
                return _replay(IdempotencyKey.objects.get(account=self.account, key=key), digest)
            response = self._send(request)
            stored.status_code, stored.body = response.status_code, response.data
            stored.headers = {"Location": response["Location"]}
            stored.save(update_fields=["status_code", "body", "headers"])
            return response

    def _send(self, request):
        data = validated(SendEmailSerializer, request.data)
        from_email = _from_email(self.account, data)
        recipient = emails.recipient_of(self.account, data["to"])
        if recipient.suppressed:
            raise ApiProblem(RECIPIENT_SUPPRESSED, f"{data['to'].address} is suppressed for this account (it "
                             "hard-bounced, unsubscribed or was erased); nothing was sent.")
        try:
            message = emails.email_send(account=self.account, to=data["to"], recipient=recipient,
                                        subject=data["subject"], html=data["html"], text=data["text"],
                                        from_name=data["fromName"], from_email=from_email,
                                        reply_to=data["replyTo"].address if data.get("replyTo") else "",
                                        values=data["values"])
        except emails.TemplateError as exc:
            where = str(exc).partition(":")[0]
            raise ApiProblem(VALIDATION_ERROR, str(exc), errors=[{"field": where, "detail": str(exc)}]) from None
        # The queued message as written (with its content): nothing has happened to it yet.
        return hypermedia(email_detail(message, events=()), "email", status=202,
                          headers={"Location": email_href(message.pk)})


class V1EmailCollectionView(V1View):
    @extend_schema(operation_id="v1_emails_list", parameters=EMAILS.parameters(),
                   responses=responses({200: "emails-page"}, extra_problems=(400,)))
    def get(self, request):
        query = parse_query(request, EMAILS)
        rows = apply_filters(Message.objects.filter(account=self.account).select_related("campaign", "single"),
                             EMAILS, query)
        # Unfiltered, the exact counter answers; a filter counts its rows.
        count = None if query.filters else (lambda: message_count(self.account.pk))
        page = page_of(rows, EMAILS, query, count=count)
        body = envelope([email_summary(row) for row in page.rows], page, EMAILS, query, path=emails_href(),
                        collection_rel="/rels/emails-collection")
        return hypermedia(body, "emails-page")


class V1EmailDetailView(V1View):
    @extend_schema(operation_id="v1_emails_retrieve", responses=responses({200: "email"}, extra_problems=(404,)))
    def get(self, request, email_id):
        message = Message.objects.filter(account=self.account, pk=email_id).select_related("campaign", "single") \
            .first()
        if message is None:
            raise ApiProblem(NOT_FOUND, f"No email {email_id} in this account.")
        return hypermedia(email_detail(message), "email")


__all__ = ["V1EmailSendView", "V1EmailCollectionView", "V1EmailDetailView"]
