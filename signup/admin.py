"""The back office's signup forms: written through the API's services (lists, fields and origins checked in the
API's words), and on a form's page the HTML snippet to paste into a site."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from api.admin import ServiceAdmin, ServiceForm
from lists.models import MailingList
from signup.models import SignupForm
from signup.representations import action_url
from signup.services import signup_form_create, signup_form_delete, signup_form_update
from signup.snippet import form_snippet

FIELDS_EXAMPLE = [{"fieldName": "firstName", "required": False}]


class ListsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.account.name} · {obj.name}"


class OriginsField(forms.CharField):
    """One origin a line."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class SignupFormForm(ServiceForm):
    lists = ListsField(queryset=MailingList.objects.select_related("account").order_by("account_id", "id"))
    fields = forms.JSONField(
        required=False,
        initial=FIELDS_EXAMPLE,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text='The account fields the form asks for, as the API takes them: [{"fieldName": …, "required": …}].',
    )
    allowed_origins = OriginsField(
        required=False,
        help_text="The sites that may post the form and be sent back to: https://example.com, a line each.",
    )
    problem_fields = {"name": "name", "thankYouUrl": "thank_you_url", "errorUrl": "error_url"}

    class Meta:
        model = SignupForm
        fields = (
            "account",
            "name",
            "lists",
            "fields",
            "double_opt_in",
            "thank_you_url",
            "error_url",
            "allowed_origins",
        )
        labels = {"double_opt_in": "Always ask to confirm (double opt-in)"}
        help_texts = {"double_opt_in": "Off: each list's own double opt-in setting decides."}

    def write(self):
        data = self.cleaned_data
        config = {
            "name": data["name"].strip(),
            "list_ids": [mailing_list.pk for mailing_list in data["lists"]],
            "fields": data["fields"] or [],
            "double_opt_in": data["double_opt_in"],
            "thank_you_url": (data["thank_you_url"] or "").strip(),
            "error_url": (data["error_url"] or "").strip(),
            "allowed_origins": data["allowed_origins"],
        }
        if not isinstance(config["fields"], list) or not all(
            isinstance(f, dict) and isinstance(f.get("fieldName"), str) for f in config["fields"]
        ):
            self.add_error("fields", 'A JSON array of {"fieldName": …, "required": true|false}.')
            return None
        config["fields"] = [
            {"fieldName": f["fieldName"], "required": bool(f.get("required"))} for f in config["fields"]
        ]
        if self.instance.pk:
            return signup_form_update(form=self.instance, **config)
        return signup_form_create(account=data["account"], **config)

    def add_problem(self, problem):
        """Each error under its box: ``lists[1]`` under lists, ``allowedOrigins[0]`` under the origins."""
        boxes = {"lists": "lists", "fields": "fields", "allowedOrigins": "allowed_origins", **self.problem_fields}
        for error in problem.errors or [{"field": None, "detail": problem.problem_detail}]:
            path = error.get("field") or ""
            box = boxes.get(path.split("[")[0])
            self.add_error(box, f"{path}: {error['detail']}" if box and path != path.split("[")[0] else error["detail"])


@admin.register(SignupForm)
class SignupFormAdmin(ServiceAdmin):
    form = SignupFormForm
    delete_service = signup_form_delete
    delete_noun = "form"
    list_display = ("id", "name", "account", "double_opt_in", "updated_at")
    search_fields = ("=id", "name", "account__name", "=key")
    list_select_related = ("account",)

    def get_fieldsets(self, request, obj=None):
        fields = (
            "account",
            "name",
            "lists",
            "fields",
            "double_opt_in",
            "allowed_origins",
            "thank_you_url",
            "error_url",
        )
        if obj is None:
            return [(None, {"fields": fields})]
        return [
            (None, {"fields": fields}),
            ("Put it on your site", {"fields": ("public_url", "snippet")}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return ("account", "public_url", "snippet") if obj else ()

    @admin.display(description="posts to")
    def public_url(self, form):
        return action_url(form)

    @admin.display(description="HTML snippet")
    def snippet(self, form):
        code = form_snippet(form)
        return format_html(
            '<p class="help">Copy this into a page of one of the allowed origins; it needs no script.</p>'
            '<textarea readonly rows="{}" cols="100" class="vLargeTextField" '
            'style="font-family: monospace; font-size: 12px" aria-label="HTML snippet">{}</textarea>',
            code.count("\n") + 6,
            code,
        )
