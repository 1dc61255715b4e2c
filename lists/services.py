from django.db import IntegrityError, transaction

from api.audit import record
from api.problems import ApiProblem
from fields.selectors import field_types
from lists import sql
from lists.confirmation import confirmation_template_check
from lists.models import ListCount, MailingList
from lists.problems import DUPLICATED_NAME


def _duplicated(name: str) -> ApiProblem:
    return ApiProblem(DUPLICATED_NAME, f"Already exists an active list with the name '{name}'.")


def _name_taken(account, name: str, exclude_id: int | None = None) -> bool:
    lists = MailingList.objects.filter(account=account, active=True, name__iexact=name)
    if exclude_id is not None:
        lists = lists.exclude(pk=exclude_id)
    return lists.exists()


def _confirmation(account, confirmation: tuple[str, str, str] | None) -> dict:
    """The confirmation email's columns from (subject, html, text), checked; {} when not given."""
    if confirmation is None:
        return {}
    subject, html, text = confirmation
    confirmation_template_check(
        subject=subject, html=html, text=text, field_names=[name for name, _ in field_types(account=account)]
    )
    return {"confirmation_subject": subject, "confirmation_html": html, "confirmation_text": text}


@transaction.atomic
def list_create(
    *,
    account,
    name: str,
    active: bool = True,
    public: bool = False,
    public_name: str = "",
    public_description: str = "",
    double_opt_in: bool = False,
    confirmation: tuple[str, str, str] | None = None,
) -> MailingList:
    """``confirmation``: the (subject, html, text) of its confirmation email, blank parts the defaults."""
    template = _confirmation(account, confirmation)
    if active and _name_taken(account, name):
        raise _duplicated(name)
    try:
        with transaction.atomic():
            mailing_list = MailingList.objects.create(
                account=account,
                name=name,
                active=active,
                public=public,
                public_name=public_name,
                public_description=public_description,
                double_opt_in=double_opt_in,
                **template,
            )
    except IntegrityError:  # a concurrent create won the race for this name
        raise _duplicated(name) from None
    ListCount.add(account.pk, 1)
    record(
        account_id=account.pk,
        action="list.create",
        object_type="list",
        object_id=mailing_list.pk,
        details={"name": name},
    )
    return mailing_list


@transaction.atomic
def list_update(
    *,
    mailing_list: MailingList,
    name: str,
    active: bool | None = None,
    public: bool | None = None,
    public_name: str | None = None,
    public_description: str | None = None,
    double_opt_in: bool | None = None,
    confirmation: tuple[str, str, str] | None = None,
) -> MailingList:
    """What is None stays (a PUT may leave out everything but the name). Turning double opt-in off leaves pending
    members pending: they asked to confirm, and either do or lapse (the sweeper)."""
    template = _confirmation(mailing_list.account, confirmation)
    mailing_list.name = name
    for attribute, value in (
        ("active", active),
        ("public", public),
        ("public_name", public_name),
        ("public_description", public_description),
        ("double_opt_in", double_opt_in),
    ):
        if value is not None:
            setattr(mailing_list, attribute, value)
    for column, value in template.items():
        setattr(mailing_list, column, value)
    if mailing_list.active and _name_taken(mailing_list.account, name, exclude_id=mailing_list.pk):
        raise _duplicated(name)
    try:
        with transaction.atomic():
            mailing_list.save(
                update_fields=[
                    "name",
                    "active",
                    "public",
                    "public_name",
                    "public_description",
                    "double_opt_in",
                    *template,
                ]
            )
    except IntegrityError:
        raise _duplicated(name) from None
    record(
        account_id=mailing_list.account_id,
        action="list.update",
        object_type="list",
        object_id=mailing_list.pk,
        details={"name": name},
    )
    return mailing_list


@transaction.atomic
def list_delete(*, mailing_list: MailingList) -> None:
    """Remove the list and its memberships; the subscribers stay."""
    account_id = mailing_list.account_id
    MailingList.objects.select_for_update().filter(pk=mailing_list.pk).first()  # waits for imports into it
    list_id, name = mailing_list.pk, mailing_list.name
    mailing_list.delete()  # memberships go with it in one set-based DELETE
    ListCount.add(account_id, -1)
    record(account_id=account_id, action="list.delete", object_type="list", object_id=list_id, details={"name": name})


def list_members_add(*, list_id: int, delta: int) -> None:
    """Active subscribers joined (``delta`` > 0) or left the list: its ``subscribersQuantity``, in the caller's
    transaction."""
    if delta:
        sql.members_add(list_id, delta)


def lists_members_add(*, delta: int, list_ids_sql: str, params: list) -> None:
    """As ``list_members_add``, for every list whose id the subquery ``list_ids_sql`` selects (one statement)."""
    if delta:
        sql.members_add_where(delta, list_ids_sql, params)


def list_hold(*, list_id: int) -> bool:
    """Keep the list from being deleted until the transaction ends (PostgreSQL); False when it is gone."""
    return sql.hold(list_id)


def list_members_repair(*, account_id: int, counts: dict[int, int]) -> None:
    """Repair: each of the account's lists gets its active members from ``counts`` ({list id: n}; 0 if absent)."""
    for list_id, stored in MailingList.objects.filter(account_id=account_id).values_list("pk", "subscribers_count"):
        if stored != counts.get(list_id, 0):
            MailingList.objects.filter(pk=list_id).update(subscribers_count=counts.get(list_id, 0))


def list_count_recount(*, account) -> None:
    """Repair: recompute the account's list counter from the rows."""
    ListCount.recount(MailingList.objects.filter(account=account), account_id=account.pk)
