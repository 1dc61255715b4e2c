"""Signup form reads: the account's forms, and a form by its public key."""

from django.db.models import Prefetch

from api.pagination import PageParams, page_slice
from api.problems import NOT_FOUND, ApiProblem
from api.v1 import Collection, Page, Query, Sort, page_of
from lists.models import MailingList
from signup.models import SignupForm

_LISTS = Prefetch("lists", queryset=MailingList.objects.order_by("id").only("id"))


def _rows(account):
    return SignupForm.objects.filter(account=account).prefetch_related(_LISTS)


def signup_form_get(*, account, form_id: int) -> SignupForm:
    form = _rows(account).filter(pk=form_id).first()
    if form is None:
        raise ApiProblem(NOT_FOUND, f"The account has no signup form {form_id}.")
    return form


def signup_form_page(*, account, params: PageParams) -> tuple[list[SignupForm], int]:
    rows = _rows(account).order_by("id")
    total = rows.count()  # an account has a few forms
    return page_slice(rows, total, params), total


FORMS = Collection(
    "forms",
    sorts={"id": Sort("id", kind="int"), "name": Sort("name"), "createdAt": Sort("created_at", kind="datetime")},
)


def signup_form_v1_page(*, account, query: Query) -> Page:
    return page_of(_rows(account), FORMS, query)


def signup_form_public(*, key: str) -> SignupForm:
    """The form a public post names by its key (404 for any other string: nothing tells a wrong key from a
    deleted form)."""
    form = SignupForm.objects.select_related("account").filter(key=key).first() if len(key) <= 32 else None
    if form is None:
        raise ApiProblem(NOT_FOUND, "No signup form has this address.")
    return form
