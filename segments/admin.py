"""The back office's segments: the condition tree edited as JSON and checked by the API's service (errors in
its words, by path), with the count and the first subscribers it matches now."""

import json

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from api.admin import ServiceAdmin, ServiceForm
from api.problems import ApiProblem
from segments.conditions import MATCHES
from segments.models import Segment
from segments.representations import ordered
from segments.selectors import matching, tree_count
from segments.services import segment_create, segment_delete, segment_update

FIRST_MATCHES = 20
EXAMPLE = [{"kind": "field", "field": "country", "operator": "equals", "value": "AR"}]


class IndentedJSONField(forms.JSONField):
    """Shown indented, members in the API's order, so a tree reads as a tree."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return json.dumps(ordered(value), ensure_ascii=False, indent=2)
        return super().prepare_value(value)


class SegmentForm(ServiceForm):
    match = forms.ChoiceField(choices=[(m, m) for m in MATCHES])
    conditions = IndentedJSONField(
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90, "class": "vLargeTextField"}),
        initial=EXAMPLE,
        help_text="A JSON array of conditions and groups, as the API takes them (see the README's Segments).",
    )

    class Meta:
        model = Segment
        fields = ("account", "name", "match", "conditions")

    def write(self):
        data = self.cleaned_data
        tree = {"name": data["name"].strip(), "match": data["match"], "conditions": data["conditions"]}
        if self.instance.pk:
            return segment_update(segment=self.instance, **tree)
        return segment_create(account=data["account"], **tree)

    def add_problem(self, problem: ApiProblem) -> None:
        """Each bad condition under the conditions box, by its path, as the API's 400 lists them."""
        for error in problem.errors or [{"field": None, "detail": problem.problem_detail}]:
            field = (error.get("field") or "").split("[")[0].split(".")[0]
            detail = error.get("detail", problem.problem_detail)
            if field in ("conditions", "match", "name"):
                path = error["field"]
                self.add_error(field, detail if path == field else f"{path}: {detail}")
            else:
                self.add_error(None, detail)


@admin.register(Segment)
class SegmentAdmin(ServiceAdmin):
    form = SegmentForm
    delete_service = segment_delete
    delete_noun = "segment"
    list_display = ("id", "name", "account", "match", "updated_at")
    search_fields = ("=id", "name", "account__name")
    list_select_related = ("account",)

    def get_fieldsets(self, request, obj=None):
        fields = ("account", "name", "match", "conditions")
        if obj is None:
            return [(None, {"fields": fields})]
        return [(None, {"fields": fields}), ("Matches now", {"fields": ("matches", "first_matches")})]

    def get_readonly_fields(self, request, obj=None):
        return ("account", "matches", "first_matches") if obj else ()

    @admin.display(description="count")
    def matches(self, segment):
        total, active = tree_count(account=segment.account, tree=segment.tree)
        return f"{total} subscribers, {active} of them active"

    @admin.display(description=f"first {FIRST_MATCHES}")
    def first_matches(self, segment):
        rows = matching(account=segment.account, tree=segment.tree).order_by("id")[:FIRST_MATCHES]
        if not rows:
            return "none"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a> ({})',
            ((reverse("admin:subscribers_subscriber_change", args=[s.pk]), s.email, s.status) for s in rows),
        )
