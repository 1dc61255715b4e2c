from api.pagination import PageParams, page_slice
from api.problems import NOT_FOUND, ApiProblem
from api.sql import fetch_one
from lists.models import ListCount, MailingList


def list_get(*, account, list_id: int) -> MailingList:
    # Every list read, edit, page and subscribe starts here.
    mailing_list = fetch_one(MailingList, "account_id = %s AND id = %s", [account.pk, list_id])
    if mailing_list is None:
        raise ApiProblem(NOT_FOUND, f"The account has no list {list_id}.")
    mailing_list.account = account  # known: no query when a caller needs it
    return mailing_list


def list_page(*, account, params: PageParams) -> tuple[list[MailingList], int]:
    total = ListCount.read(account.pk)
    rows = page_slice(MailingList.objects.filter(account=account).order_by("id"), total, params)
    return rows, total


def lists_existing(*, account_id: int, list_ids) -> set[int]:
    """Which of ``list_ids`` are lists of the account."""
    return set(MailingList.objects.filter(account_id=account_id, pk__in=list_ids).values_list("pk", flat=True))


def lists_double_opt_in(*, list_ids) -> set[int]:
    """Which of ``list_ids`` ask new members to confirm (double opt-in)."""
    return set(MailingList.objects.filter(pk__in=list_ids, double_opt_in=True).values_list("pk", flat=True))


def list_ids_of(*, account_id: int):
    """The ids of the account's lists, as a subquery (a queryset of ``pk``) for another app's query."""
    return MailingList.objects.filter(account_id=account_id).values("pk")


def lists_of(*, account):
    """The account's lists, by id."""
    return MailingList.objects.filter(account=account).order_by("id")


def list_name(*, list_id: int) -> str:
    """The list's name ("" if it is gone): what a public page names it by."""
    return MailingList.objects.filter(pk=list_id).values_list("name", flat=True).first() or ""


def lists_public(*, account_id: int) -> list[MailingList]:
    """The account's active public lists, as the preference page shows them (by display name, then id)."""
    lists = MailingList.objects.filter(account_id=account_id, active=True, public=True)
    return sorted(lists, key=lambda row: (row.display_name.casefold(), row.pk))
