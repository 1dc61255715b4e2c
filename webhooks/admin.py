"""The back office's webhooks: an endpoint written through the API's services (its URL checked, its secret made and
shown once, on the page the save leads to), a button that rotates the secret, the recent deliveries with their
attempts; the delivery log with a redeliver action."""

import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from api.admin import ServiceAdmin, ServiceForm, service_action
from api.events import TYPES
from api.formats import iso
from api.roles import OWNER
from api.scoping import AccountScopedAdmin
from webhooks.models import Delivery, Endpoint
from webhooks.services import delivery_redeliver, webhook_create, webhook_delete, webhook_rotate_secret, webhook_update

ROTATE = "_rotate"
RECENT = 20


def _secret_message(admin_view, request, what: str, secret: str) -> None:
    admin_view.message_user(
        request,
        format_html("{}: <code class='webhook-secret'>{}</code>. Keep it now: it is not shown again.", what, secret),
        level=messages.WARNING,
    )


class EndpointForm(ServiceForm):
    event_types = forms.MultipleChoiceField(
        choices=[(t, t) for t in TYPES], widget=forms.CheckboxSelectMultiple, label="Events"
    )
    problem_fields = {"eventTypes": "event_types"}
    secret = None

    class Meta:
        model = Endpoint
        fields = ("account", "url", "description", "event_types", "enabled")
        labels = {"url": "URL"}
        widgets = {"url": forms.TextInput(attrs={"size": 90})}
        help_texts = {
            "url": "http or https; its host must resolve to public addresses only. Each event is POSTed to it, "
            "signed the Standard Webhooks way.",
            "enabled": "Off: no events are sent. Turning it on again starts a disabled webhook anew.",
        }

    def write(self):
        data = self.cleaned_data
        fields = {
            "url": data["url"].strip(),
            "event_types": list(data["event_types"]),
            "description": (data.get("description") or "").strip(),
            "enabled": data["enabled"],
        }
        if self.instance.pk:
            return webhook_update(endpoint=self.instance, **fields)
        endpoint, self.secret = webhook_create(account=data["account"], **fields)
        return endpoint


@admin.register(Endpoint)
class EndpointAdmin(ServiceAdmin):
    write_role = OWNER
    form = EndpointForm
    delete_service = webhook_delete
    delete_noun = "endpoint"
    list_display = ("id", "url", "account", "enabled", "disabled_reason", "failures", "updated_at")
    list_filter = ("enabled", "disabled_reason")
    search_fields = ("=id", "url", "account__name")
    list_select_related = ("account",)

    def get_fieldsets(self, request, obj=None):
        fields = ("account", "url", "description", "event_types", "enabled")
        if obj is None:
            return [(None, {"fields": fields})]
        return [
            (None, {"fields": fields}),
            ("State", {"fields": ("state", "failures", "deliveries_count", "rotate")}),
            ("Recent deliveries", {"fields": ("recent",)}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return ("account", "state", "failures", "deliveries_count", "rotate", "recent") if obj else ()

    @admin.display(description="state")
    def state(self, endpoint):
        if endpoint.enabled:
            return "enabled"
        when = f"{endpoint.disabled_at:%Y-%m-%d %H:%M} UTC"
        return f"disabled ({endpoint.disabled_reason}) on {when}: {endpoint.disabled_detail}"

    @admin.display(description="secret")
    def rotate(self, endpoint):
        return format_html(
            '<input type="submit" name="{}" value="Rotate the signing secret" style="float:none">'
            "<p class='help'>A new secret, shown once; the current one also signs for 24 hours.</p>",
            ROTATE,
        )

    @admin.display(description="deliveries")
    def recent(self, endpoint):
        rows = endpoint.deliveries.select_related("event").prefetch_related("attempt_rows")[:RECENT]
        if not rows:
            return "none yet"
        body = format_html_join(
            "",
            "<tr><td><a href='{}'>{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    reverse("admin:webhooks_delivery_change", args=[row.pk]),
                    row.pk,
                    row.event.type,
                    row.status,
                    ", ".join(_attempt(a) for a in row.attempt_rows.all()) or "-",
                    f"{row.created_at:%Y-%m-%d %H:%M:%S}",
                    row.last_error or "",
                )
                for row in rows
            ),
        )
        return format_html(
            "<table class='webhook-deliveries'><thead><tr><th>delivery</th><th>event</th><th>status</th>"
            "<th>attempts</th><th>created</th><th>last error</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )

    def response_add(self, request, obj, post_url_continue=None):
        form_secret = getattr(request, "_webhook_secret", None)
        if form_secret:
            _secret_message(self, request, f"Webhook {obj.pk} created; its signing secret", form_secret)
            return HttpResponseRedirect(reverse("admin:webhooks_endpoint_change", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def save_form(self, request, form, change):
        request._webhook_secret = form.secret  # shown once, by response_add
        return super().save_form(request, form, change)

    def response_change(self, request, obj):
        if ROTATE in request.POST:
            _, secret = webhook_rotate_secret(endpoint=obj)
            _secret_message(self, request, "The new signing secret", secret)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


def _attempt(attempt) -> str:
    answer = attempt.status_code or attempt.error or "no answer"
    return f"{answer} in {attempt.duration_ms} ms"


@admin.register(Delivery)
class DeliveryAdmin(AccountScopedAdmin):
    """The log, read-only: what was sent, each attempt; a delivery is sent again by the redeliver action."""

    account_path = "endpoint__account"
    write_role = OWNER

    list_display = ("id", "endpoint", "event_type", "status", "attempts", "created_at", "finished_at", "last_error")
    list_filter = ("status",)
    search_fields = ("=id", "=endpoint__id", "endpoint__url", "endpoint__account__name")
    list_select_related = ("endpoint", "event")
    readonly_fields = ("endpoint", "event_type", "payload", "status", "attempts", "log", "created_at", "finished_at")
    fields = readonly_fields
    actions = [
        service_action(
            "redeliver",
            delivery_redeliver,
            description="Send the selected deliveries again",
            verb="Queued again",
            noun="delivery",
        )
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # nothing of a delivery is edited: its page is read-only

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="event")
    def event_type(self, delivery):
        return delivery.event.type

    @admin.display(description="payload")
    def payload(self, delivery):
        body = {"type": delivery.event.type, "timestamp": iso(delivery.event.created_at), "data": delivery.event.data}
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", json.dumps(body, indent=2, ensure_ascii=False))

    @admin.display(description="attempts")
    def log(self, delivery):
        return (
            format_html_join(
                "",
                "<div>{} · {}</div>",
                ((f"{a.at:%Y-%m-%d %H:%M:%S}", _attempt(a)) for a in delivery.attempt_rows.all()),
            )
            or "none yet"
        )
