"""The back office's templates: the layouts edited and checked by the API's service (a missing or doubled
``{{ content }}`` slot, a bad merge tag: under the box, in the API's words), with the layout shown around a
sample content and the campaigns that use it."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from api.admin import ServiceAdmin, ServiceForm
from campaigns.models import Campaign
from templates.layout import compose
from templates.models import Template
from templates.services import template_create, template_delete, template_update

SAMPLE = (
    "<h1 style=\"margin:0 0 12px\">A campaign's content</h1><p>Its HTML goes here, in the layout's "
    "<code>{{ content }}</code> slot. Merge tags show as written.</p>"
)
EXAMPLE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
  .content { font-family: Helvetica, Arial, sans-serif; max-width: 600px; margin: auto; }
  @media (max-width: 600px) { .content { padding: 8px; } }
</style></head>
<body><div class="content">
{{ content }}
<p class="footer"><a href="{{ unsubscribeUrl }}">Unsubscribe</a></p>
</div></body></html>"""
BOX = {"rows": 18, "cols": 90, "class": "vLargeTextField", "spellcheck": "false"}


class TemplateForm(ServiceForm):
    html = forms.CharField(
        widget=forms.Textarea(attrs=BOX),
        strip=False,
        initial=EXAMPLE,
        # The admin shows help texts as HTML: the tag is written escaped.
        help_text="One {{ content }} slot, where a campaign's HTML goes; merge tags as in campaigns. "
        "The rules of &lt;style&gt; blocks are inlined when a campaign is compiled (blocks with @media stay).",
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={**BOX, "rows": 8}),
        strip=False,
        required=False,
        help_text="Optional: a text layout with one {{ content }} slot, for the text part.",
    )

    class Meta:
        model = Template
        fields = ("account", "name", "html", "text")

    def write(self):
        data = self.cleaned_data
        layout = {"name": data["name"].strip(), "html": data["html"], "text": data.get("text") or ""}
        if self.instance.pk:
            return template_update(template=self.instance, **layout)
        return template_create(account=data["account"], **layout)


@admin.register(Template)
class TemplateAdmin(ServiceAdmin):
    form = TemplateForm
    delete_service = template_delete
    delete_noun = "template"
    list_display = ("id", "name", "account", "updated_at")
    search_fields = ("=id", "name", "account__name")
    list_select_related = ("account",)

    class Media:
        css = {"all": ("backoffice/backoffice.css",)}  # the preview's frame, sized as a campaign's

    def get_fieldsets(self, request, obj=None):
        fields = ("account", "name", "html", "text")
        if obj is None:
            return [(None, {"fields": fields})]
        return [(None, {"fields": fields}), ("Use", {"fields": ("preview", "used_by")})]

    def get_readonly_fields(self, request, obj=None):
        return ("account", "preview", "used_by") if obj else ()

    @admin.display(description="layout")
    def preview(self, template):
        """As saved, around a sample content: a campaign's preview shows it with the campaign's own."""
        return format_html(
            '<iframe class="campaign-preview" sandbox title="Layout" srcdoc="{}"></iframe>',
            compose(template.html, SAMPLE),
        )

    @admin.display(description="campaigns")
    def used_by(self, template):
        campaigns = Campaign.objects.filter(template=template).order_by("-id")[:20]
        if not campaigns:
            return "none"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a> ({})',
            ((reverse("admin:campaigns_campaign_change", args=[c.pk]), c.name, c.status) for c in campaigns),
        )
