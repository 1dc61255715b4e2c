"""The back office's sending domains: add one (the key pair made by the API's service), the DNS records to copy,
and a verify button (the same service as POST …/verify)."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.html import format_html, format_html_join

from api.admin import ServiceAdmin, ServiceForm, service_action
from api.roles import OWNER
from domains.models import SendingDomain
from domains.records import records
from domains.services import domain_create, domain_delete, domain_verify

VERIFY = "_verify"


class SendingDomainForm(ServiceForm):
    problem_fields = {"domain": "name"}

    class Meta:
        model = SendingDomain
        fields = ("account", "name")
        labels = {"name": "Domain"}
        help_texts = {"name": "A host name: example.com, mail.example.com."}

    def write(self):
        if self.instance.pk:
            return self.instance  # nothing of a domain is edited: a new name is a new domain, with a new key
        return domain_create(account=self.cleaned_data["account"], name=self.cleaned_data["name"])


@admin.register(SendingDomain)
class SendingDomainAdmin(ServiceAdmin):
    write_role = OWNER
    form = SendingDomainForm
    delete_service = domain_delete
    delete_noun = "domain"
    list_display = ("name", "account", "state", "verified_at", "checked_at")
    list_filter = (("verified_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "account__name")
    list_select_related = ("account",)
    actions = [
        service_action(
            "verify_domains",
            domain_verify,
            description="Verify the DNS records of the selected domains",
            verb="Checked",
            noun="domain",
        )
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ("account", "name")})]
        return [
            (None, {"fields": ("account", "name", "state", "selector", "created_at", "checked_at", "verified_at")}),
            ("DNS records to publish", {"fields": ("dns_records", "verify")}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "account",
            "name",
            "state",
            "selector",
            "created_at",
            "checked_at",
            "verified_at",
            "dns_records",
            "verify",
        )

    @admin.display(description="status")
    def state(self, domain):
        return domain.status

    @admin.display(description="records")
    def dns_records(self, domain):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td><code style='word-break:break-all'>{}</code></td>"
            "<td>{}</td></tr>",
            (
                (
                    r["purpose"].upper(),
                    r["type"],
                    r["name"],
                    r["value"],
                    f"{r['check']}: {r['detail']}" if r["detail"] else r["check"],
                )
                for r in records(domain)
            ),
        )
        return format_html(
            "<table class='dns-records'><thead><tr><th>for</th><th>type</th><th>name</th><th>value</th>"
            "<th>last check</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="verify")
    def verify(self, domain):
        return format_html(
            '<input type="submit" name="{}" value="Verify the DNS records now" class="default" style="float:none">'
            "<p class='help'>Looks the records up in DNS and records what passed. The domain is verified while "
            "its DKIM record publishes its key (SPF is reported).</p>",
            VERIFY,
        )

    def response_change(self, request, obj):
        if VERIFY in request.POST:
            domain = domain_verify(domain=obj)
            level = messages.SUCCESS if domain.status == "verified" else messages.WARNING
            self.message_user(request, f"{domain.name}: {domain.status}.", level=level)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)
