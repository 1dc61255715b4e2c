from collections import defaultdict

from api.pagination import PageParams, page_slice
from api.problems import NOT_FOUND, ApiProblem
from fields.models import Field
from subscribers.counters import subscriber_count
from subscribers.models import NEVER_OPEN, Membership, Status, Subscriber

STATUS_FILTERS = (*Status.values, NEVER_OPEN)


def subscriber_get(*, account, email_md5: str) -> Subscriber:
    subscriber = Subscriber.objects.filter(account=account, email_md5=email_md5.lower()).first()
    if subscriber is None:
        raise ApiProblem(NOT_FOUND, f"The account has no subscriber {email_md5}.")
    return subscriber


def subscriber_page(*, account, status: str | None, params: PageParams) -> tuple[list[Subscriber], int]:
    rows = Subscriber.objects.filter(account=account)
    if status == NEVER_OPEN:
        rows = rows.filter(status=Status.ACTIVE, last_open_at__isnull=True)
    elif status:
        rows = rows.filter(status=status)
    total = subscriber_count(account.pk, status)
    return page_slice(rows.order_by("id"), total, params), total


def list_subscriber_page(*, mailing_list, params: PageParams) -> tuple[list[Subscriber], int]:
    """The list's active subscribers, in the order they joined."""
    memberships = (Membership.objects.filter(list=mailing_list, subscriber__status=Status.ACTIVE)
                   .select_related("subscriber").order_by("id"))
    total = mailing_list.subscribers_count
    return [m.subscriber for m in page_slice(memberships, total, params)], total


def lists_of(subscribers: list[Subscriber]) -> dict[int, list[int]]:
    """subscriber id → its list ids, ascending, in one query."""
    result = defaultdict(list)
    pairs = (Membership.objects.filter(subscriber_id__in=[s.pk for s in subscribers])
             .order_by("list_id").values_list("subscriber_id", "list_id"))
    for subscriber_id, list_id in pairs:
        result[subscriber_id].append(list_id)
    return result


def field_types(*, account) -> list[tuple[str, str]]:
    return list(Field.objects.filter(account=account).order_by("position", "id").values_list("name", "type"))
