"""Signup forms as both surfaces show them (only hrefs differ)."""

from django.conf import settings
from django.urls import reverse

from api.formats import iso
from api.links import SurfaceRoutes, link
from api.members import MemberShape
from api.pagination import PageParams
from api.v1 import Collection, Page, Query


class Routes(SurfaceRoutes):
    """``signup-form-…`` under an account, or ``v1-signup-form-…``."""

    def detail(self, form_id: int) -> str:
        return self._url("detail", form_id=form_id)


def hypermedia_routes(account_name: str) -> Routes:
    return Routes("signup-form", account_name)


V1_ROUTES = Routes("v1-signup-form")


def action_url(form) -> str:
    """The public endpoint's absolute URL: what a page's ``<form action>`` posts to."""
    return settings.PUBLIC_BASE_URL + reverse("signup-form-post", kwargs={"form_key": form.key})


def _body(form) -> dict:
    return {
        "formId": form.pk,
        "formKey": form.key,
        "name": form.name,
        "lists": [mailing_list.pk for mailing_list in form.lists.all()],
        "fields": [{"fieldName": f["fieldName"], "required": bool(f.get("required"))} for f in form.fields],
        "doubleOptIn": form.double_opt_in,
        "thankYouUrl": form.thank_you_url or None,
        "errorUrl": form.error_url or None,
        "allowedOrigins": list(form.allowed_origins),
        "honeypotField": form.honeypot,
        "actionUrl": action_url(form),
        "createdAt": iso(form.created_at),
        "updatedAt": iso(form.updated_at),
    }


def _member_links(routes: Routes, form) -> list[dict]:
    href = routes.detail(form.pk)
    return [
        link(href, "edit /rels/edit-signup-form", "Edit signup form"),
        link(href, "delete /rels/delete-signup-form", "Delete signup form"),
        link(action_url(form), "/rels/signup-form-post", "Where browsers post the form (no key)"),
    ]


SHAPE = MemberShape(
    rel="/rels/signup-form",
    title="Signup form details",
    collection_rel="/rels/signup-forms-collection",
    collection_title="Signup forms",
    create_rel="/rels/create-signup-form",
    create_title="Create a signup form",
    body=_body,
    member_links=_member_links,
)

signup_form_item = SHAPE.item
signup_form_detail = SHAPE.detail
signup_form_written_links = SHAPE.written_links
signup_form_deleted_links = SHAPE.deleted_links


def signup_forms_page(account_name: str, rows, total: int, params: PageParams) -> dict:
    return SHAPE.page(hypermedia_routes(account_name), rows, total, params)


def signup_forms_v1_page(page: Page, collection: Collection, query: Query) -> dict:
    return SHAPE.v1_page(V1_ROUTES, page, collection, query)
