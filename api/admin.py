"""Back-office helpers shared by the apps' admin modules: actions and forms whose writes are the API's services."""

from functools import cached_property

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.urls import reverse

from api.problems import ApiProblem
from api.scoping import AccountScopedAdmin


class AtLeast(int):
    """A count that stopped at its cap: shown as "1,000+" wherever the admin prints it."""

    def __str__(self):
        return f"{self - 1:,}+"


class CappedCountPaginator(Paginator):
    """Counts at most ``cap`` rows: a page of a million-row table must not cost a ``COUNT(*)`` of it (a whole scan
    when the search reads rows). Past the cap the count shows as "1,000+" and the pages stop a row after it."""

    cap = 1_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            rows = rows.order_by()  # any cap + 1 rows: in the page's order, a rare match would read the whole table
        counted = rows[: self.cap + 1].count()
        return AtLeast(counted) if counted > self.cap else counted


def apply_action(model_admin, request, queryset, service, *, verb: str, noun: str) -> None:
    """Call ``service(<noun>=row)`` for each selected row; refusals are shown, not raised."""
    done = 0
    for row in queryset:
        try:
            service(**{noun: row})
            done += 1
        except ApiProblem as problem:
            model_admin.message_user(
                request, f"{noun.capitalize()} {row.pk}: {problem.problem_detail}", level=messages.WARNING
            )
    model_admin.message_user(request, f"{verb} {done} {noun}(s).", level=messages.SUCCESS)


def service_action(name: str, service, *, description: str, verb: str, noun: str):
    """An admin action ``name`` that calls the same service as the API, ``service(<noun>=row)``, for each
    selected row, and says how many it did and which it refused."""

    def action(model_admin, request, queryset):
        apply_action(model_admin, request, queryset, service, verb=verb, noun=noun)

    action.__name__ = action.__qualname__ = name
    return admin.action(description=description)(action)


class AccountScopedChoiceField(forms.ModelChoiceField):
    """A choice among rows of every account (lists), each labelled with its account: "account · name"."""

    def label_from_instance(self, obj):
        return f"{obj.account.name} · {obj}"


class ServiceForm(forms.ModelForm):
    """A model form whose save is one of the API's services (counters, suppressions, field types and cache
    invalidation stay true), called once the form is otherwise valid, so that a refusal (``ApiProblem``) shows
    on the form like a validation error. The admin's view runs in one transaction: a later failure rolls the
    write back. ``problem_fields`` maps the API's field names in a problem's ``errors`` to the form's."""

    problem_fields: dict[str, str] = {}
    saved = None

    def _get_validation_exclusions(self):
        """No model validation: the form's fields check each value, and the service checks what the model's
        constraints would, in the API's words (and the database last)."""
        return {field.name for field in self.instance._meta.get_fields()}

    def write(self):
        """Call the service with ``self.cleaned_data`` (``self.instance.pk`` set when changing); the row."""
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.saved = self.write()
        except ApiProblem as problem:
            self.add_problem(problem)

    def add_problem(self, problem: ApiProblem) -> None:
        placed = False
        for error in problem.errors or []:
            field = self.problem_fields.get(error.get("field"), error.get("field"))
            if field in self.fields:
                self.add_error(field, error.get("detail", problem.problem_detail))
                placed = True
        if not placed:
            self.add_error(None, problem.problem_detail)


class ServiceAdmin(AccountScopedAdmin):
    """An admin of an account's rows (scoped by roles: api/scoping.py) whose adds and changes go through the form's
    service (``ServiceForm``); deletes through ``delete_service`` (``delete_service(<noun>=row)``), one row at a
    time, a refusal shown rather than raised."""

    delete_service = None
    delete_noun = ""

    def save_form(self, request, form, change):
        return form.saved

    def save_model(self, request, obj, form, change):
        pass  # the service saved it

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        type(self).delete_service(**{self.delete_noun: obj})

    def delete_view(self, request, object_id, extra_context=None):
        """A refused delete (a template or segment an unfinished campaign uses) is said on the row's page, in the
        API's words, rather than a server error; the view's transaction has rolled back."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApiProblem as problem:
            self.message_user(request, problem.problem_detail, level=messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))

    def delete_queryset(self, request, queryset):
        apply_action(self, request, queryset, type(self).delete_service, verb="Deleted", noun=self.delete_noun)
