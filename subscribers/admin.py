import csv

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from api.admin import AccountScopedChoiceField, CappedCountPaginator, ServiceAdmin
from api.cells import csv_cell
from api.problems import NOT_FOUND, ApiProblem
from api.roles import visible
from api.scoping import AccountScopedAdmin
from fields.selectors import field_types
from lists.models import MailingList
from subscribers.admin_forms import SubscriberAddForm, change_form_for, shown_value
from subscribers.emails import email_md5, normalize_email
from subscribers.models import ConsentSource, Membership, Subscriber, Suppression
from subscribers.search import HELP_TEXT as SEARCH_HELP, subscribers_search
from subscribers.selectors import consents_of
from subscribers.services import (
    ConsentRequest,
    subscriber_remove_from_list,
    subscriber_subscribe,
    subscriber_unsubscribe,
)

CONSENT_COLUMNS = ("list", "state", "source", "asked", "IP", "user agent", "confirmed")
EXPORT_AT_MOST = 100_000  # rows of one CSV export from the back office (the API's exports are tasks)


class Md5SearchMixin:
    """An address typed in the search box is found through its MD5, as the API finds it."""

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if "@" in term:
            return queryset.filter(email_md5=email_md5(term)), False
        return super().get_search_results(request, queryset, term.lower())


class SubscriberActionForm(helpers.ActionForm):
    """The actions' one extra input: the list to add the selection to, or remove it from."""

    mailing_list = AccountScopedChoiceField(
        queryset=MailingList.objects.select_related("account").order_by("account__name", "name"),
        required=False,
        label="List",
    )


def _each(model_admin, request, queryset, change, *, verb: str) -> None:
    """``change(subscriber)`` for each selected subscriber (the API's service); refusals are shown, not raised."""
    done = 0
    for subscriber in queryset.select_related("account"):
        try:
            if change(subscriber) is not False:
                done += 1
        except ApiProblem as problem:
            model_admin.message_user(request, f"{subscriber.email}: {problem.problem_detail}", level=messages.WARNING)
    model_admin.message_user(request, f"{verb} {done} subscriber(s).", level=messages.SUCCESS)


def _chosen_list(model_admin, request):
    chosen = request.POST.get("mailing_list")
    mailing_list = MailingList.objects.filter(pk=chosen).first() if chosen and chosen.isdigit() else None
    if mailing_list is None:
        model_admin.message_user(request, "Choose a list first.", level=messages.ERROR)
    return mailing_list


def _in_account(mailing_list: MailingList, subscriber) -> None:
    if mailing_list.account_id != subscriber.account_id:
        raise ApiProblem(NOT_FOUND, f"The list {mailing_list.name} belongs to another account.")


@admin.action(description="Unsubscribe selected subscribers")
def unsubscribe(model_admin, request, queryset):
    _each(
        model_admin,
        request,
        queryset,
        lambda subscriber: subscriber_unsubscribe(subscriber=subscriber, reason="back office", origin="admin"),
        verb="Unsubscribed",
    )


def _with_chosen_list(model_admin, request, queryset, change, *, verb: str) -> None:
    """``change(subscriber, mailing_list)`` for each selected subscriber, with the list chosen in the actions' bar
    (one of the subscriber's account)."""
    mailing_list = _chosen_list(model_admin, request)
    if mailing_list is None:
        return

    def apply(subscriber):
        _in_account(mailing_list, subscriber)
        return change(subscriber, mailing_list)

    _each(model_admin, request, queryset, apply, verb=f"{verb} {mailing_list.name}:")


@admin.action(description="Add selected subscribers to the list chosen")
def add_to_list(model_admin, request, queryset):
    """As the API's subscribe: a double opt-in list makes them pending and sends each a confirmation."""
    consent = ConsentRequest.of(ConsentSource.ADMIN, request)

    def add(subscriber, mailing_list) -> None:
        email = normalize_email(subscriber.email)
        subscriber_subscribe(
            account=subscriber.account,
            mailing_list=mailing_list,
            email=email,
            to_set={},
            to_unset=set(),
            consent=consent,
        )

    _with_chosen_list(model_admin, request, queryset, add, verb="Added to")


@admin.action(description="Remove selected subscribers from the list chosen")
def remove_from_list(model_admin, request, queryset):
    _with_chosen_list(
        model_admin,
        request,
        queryset,
        lambda subscriber, mailing_list: subscriber_remove_from_list(subscriber=subscriber, mailing_list=mailing_list),
        verb="Removed from",
    )


@admin.action(description="Export selected subscribers as CSV")
def export_csv(model_admin, request, queryset):
    """Address, MD5, status, lists and every field of the selection's accounts, one row a subscriber; every text
    cell through csv_cell (a spreadsheet never runs a formula from it)."""
    subscribers = list(queryset.select_related("account").order_by("id")[:EXPORT_AT_MOST])
    names = dict(MailingList.objects.filter(account__in={s.account_id for s in subscribers}).values_list("pk", "name"))
    lists = {}
    for subscriber_id, list_id in Membership.objects.filter(subscriber__in=subscribers).values_list(
        "subscriber_id", "list_id"
    ):
        lists.setdefault(subscriber_id, []).append(names.get(list_id, str(list_id)))
    fields = sorted({name for subscriber in subscribers for name in subscriber.fields})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
    writer = csv.writer(response)
    consents = consents_of(subscribers)
    header = ["emailAddress", "emailMd5", "account", "status", "lists", "created", "consents"]
    writer.writerow([*header, *map(csv_cell, fields)])
    for subscriber in subscribers:
        writer.writerow(
            [
                csv_cell(subscriber.email),
                subscriber.email_md5,
                csv_cell(subscriber.account.name),
                subscriber.status,
                csv_cell("; ".join(sorted(lists.get(subscriber.pk, [])))),
                subscriber.created_at.isoformat(),
                csv_cell(" | ".join(consent_line(c, names) for c in consents.get(subscriber.pk, []))),
                *(csv_cell(shown_value(subscriber.fields.get(name))) for name in fields),
            ]
        )
    return response


def consent_line(consent, list_names: dict) -> str:
    """One consent record in a CSV cell: list, state, source, when, IP, user agent, confirmation."""
    parts = [
        str(list_names.get(consent.list_id, consent.list_id)),
        "pending" if consent.pending else "active",
        consent.source,
        consent.created_at.isoformat(),
        consent.ip or "",
        consent.user_agent or "",
    ]
    if consent.confirmed_at:
        parts += [
            f"confirmed {consent.confirmed_at.isoformat()}",
            consent.confirm_ip or "",
            consent.confirm_user_agent or "",
        ]
    return "; ".join(parts)


class ListFilter(admin.SimpleListFilter):
    """The lists of the account chosen in the filters (else every account's), read from the lists' table: Django's
    related-only filter read every membership to learn which lists have members."""

    title = "list"
    parameter_name = "list"

    def lookups(self, request, model_admin):
        lists = visible(request, MailingList.objects.select_related("account").order_by("account__name", "name"))
        account = request.GET.get("account__id__exact", "")
        if account.isdigit():
            return [(str(row.pk), row.name) for row in lists.filter(account_id=account)]
        return [(str(row.pk), f"{row.account.name} · {row.name}") for row in lists]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(memberships__list_id=self.value())


@admin.register(Subscriber)
class SubscriberAdmin(ServiceAdmin):
    """Added and changed through the API's services (subscribers/admin_forms.py); deleting is the API's
    erasure, and stays there."""

    list_display = ("email", "status", "account", "created_at", "unsubscribed_at")
    list_filter = ("account", "status", ListFilter)
    search_fields = ("email",)  # (the search itself: subscribers/search.py)
    search_help_text = SEARCH_HELP
    readonly_fields = (
        "account",
        "email_md5",
        "created_at",
        "updated_at",
        "unsubscribed_at",
        "unsubscribe_reason",
        "last_open_at",
        "consent_records",
    )
    list_select_related = ("account",)
    show_full_result_count = False  # no COUNT(*) over a million rows per page
    paginator = CappedCountPaginator
    action_form = SubscriberActionForm
    actions = [unsubscribe, add_to_list, remove_from_list, export_csv]

    def get_search_results(self, request, queryset, search_term):
        return subscribers_search(queryset, search_term), False

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = change_form_for(obj.account) if obj is not None else SubscriberAddForm
        form = super().get_form(request, obj, change, **kwargs)
        # Its consent records name the back office and the request (subscribers/admin_forms.py).
        return type(form.__name__, (form,), {"consent": ConsentRequest.of(ConsentSource.ADMIN, request)})

    @admin.display(description="consent records")
    def consent_records(self, subscriber):
        """Each membership's, and pending one's, proof of consent (double opt-in's confirmation included)."""
        records = consents_of([subscriber]).get(subscriber.pk, [])
        if not records:
            return "none"
        names = dict(MailingList.objects.filter(account_id=subscriber.account_id).values_list("pk", "name"))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    names.get(c.list_id, c.list_id),
                    "pending" if c.pending else "active",
                    c.source,
                    c.created_at.isoformat(timespec="seconds"),
                    c.ip or "—",
                    c.user_agent or "—",
                    (
                        f"{c.confirmed_at.isoformat(timespec='seconds')} from {c.confirm_ip or '—'}"
                        if c.confirmed_at
                        else "—"
                    ),
                )
                for c in records
            ),
        )
        head = "".join(f"<th>{name}</th>" for name in CONSENT_COLUMNS)
        return format_html("<table><tr>{}</tr>{}</table>", mark_safe(head), rows)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ("account", "email", "mailing_list")})]
        typed = [f"field_{name}" for name, _ in field_types(account=obj.account)]
        return [
            (None, {"fields": ("account", "email", "email_md5", "status", "lists")}),
            ("Fields", {"fields": typed, "description": "Checked as the API checks them; empty removes the value."}),
            (None, {"fields": self.readonly_fields[2:]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # erasure (DELETE …/contacts/{emailMd5}) keeps the suppression and the counts right


@admin.register(Suppression)
class SuppressionAdmin(Md5SearchMixin, AccountScopedAdmin):
    """Erased contacts' address hashes (subscribers/erasure.py); deleting one lets the address back in."""

    list_display = ("email_md5", "account", "reason", "created_at")
    search_fields = ("=email_md5",)
    search_help_text = "An exact email address or its MD5."
    readonly_fields = ("account", "email_md5", "reason", "created_at")
    list_select_related = ("account",)

    def has_add_permission(self, request):
        return False
