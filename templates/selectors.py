"""Template reads."""

from api.pagination import PageParams, page_slice
from api.problems import NOT_FOUND, ApiProblem
from api.sql import fetch_one
from api.v1 import Collection, Page, Query, Sort, page_of
from templates.models import Template


def template_get(*, account, template_id: int) -> Template:
    template = fetch_one(Template, "account_id = %s AND id = %s", [account.pk, template_id])
    if template is None:
        raise ApiProblem(NOT_FOUND, f"The account has no template {template_id}.")
    return template


def template_find(*, account_id: int, template_id: int | None, lock: bool = False) -> Template | None:
    """The account's template ``template_id``, or None (none asked, or not the account's). ``lock``: held until
    the transaction ends, so that ``template_delete`` (which locks it first) and a campaign that takes it up
    wait for each other instead of the delete missing the new campaign."""
    if template_id is None:
        return None
    rows = Template.objects.filter(account_id=account_id, pk=template_id)
    return (rows.select_for_update(no_key=True) if lock else rows).first()


def template_page(*, account, params: PageParams) -> tuple[list[Template], int]:
    rows = Template.objects.filter(account=account).order_by("id")
    total = rows.count()  # an account has a few templates, not millions
    return page_slice(rows, total, params), total


TEMPLATES = Collection(
    "templates",
    sorts={
        "id": Sort("id", kind="int"),
        "name": Sort("name"),
        "createdAt": Sort("created_at", kind="datetime"),
        "updatedAt": Sort("updated_at", kind="datetime"),
    },
)


def template_v1_page(*, account, query: Query) -> Page:
    return page_of(Template.objects.filter(account=account), TEMPLATES, query)
