from api.pagination import PageParams, page_slice
from lists.models import ListCount, MailingList
from api.problems import NOT_FOUND, ApiProblem
from api.sql import fetch_one


def list_get(*, account, list_id: int) -> MailingList:
    # Every list read, edit, page and subscribe starts here.
    mailing_list = fetch_one(MailingList, "account_id = %s AND id = %s", [account.pk, list_id])
    if mailing_list is None:
        raise ApiProblem(NOT_FOUND, f"The account has no list {list_id}.")
    mailing_list.account = account  # known: no query when a caller needs it
    return mailing_list


def list_page(*, account, params: PageParams) -> tuple[list[MailingList], int]:
    total = ListCount.objects.filter(account=account).values_list("count", flat=True).first() or 0
    rows = page_slice(MailingList.objects.filter(account=account).order_by("id"), total, params)
    return rows, total
