"""Signup forms as both surfaces show them (only hrefs differ)."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from api.formats import iso
from api.links import account_home, link, url
from api.pagination import PageParams, page_envelope
from api.v1 import Collection, Page, Query, envelope


@dataclass(frozen=True)
class Routes:
    """Route names of one surface: ``signup-form-…`` under an account, or ``v1-signup-form-…``."""

    prefix: str
    account_name: str | None = None

    def _url(self, name: str, **kwargs) -> str:
        if self.account_name is not None:
            kwargs["account_name"] = self.account_name
        return url(f"{self.prefix}-{name}", **kwargs)

    def collection(self) -> str:
        return self._url("collection")

    def detail(self, form_id: int) -> str:
        return self._url("detail", form_id=form_id)

    def home(self) -> list[dict]:
        return [account_home(self.account_name)] if self.account_name is not None else []


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


def signup_form_item(routes: Routes, form) -> dict:
    return {
        **_body(form),
        "_links": [
            link(routes.detail(form.pk), "item /rels/signup-form", "Signup form details"),
            *_member_links(routes, form),
        ],
    }


def signup_form_detail(routes: Routes, form) -> dict:
    return {
        **_body(form),
        "_links": [
            link(routes.detail(form.pk), "self /rels/signup-form", "Signup form details"),
            *_member_links(routes, form),
            link(routes.collection(), "parent /rels/signup-forms-collection", "Signup forms"),
            *routes.home(),
        ],
    }


def signup_form_written_links(routes: Routes, form) -> list[dict]:
    return [
        link(routes.detail(form.pk), "related /rels/signup-form", "Signup form details"),
        *_member_links(routes, form),
        link(routes.collection(), "parent /rels/signup-forms-collection", "Signup forms"),
        *routes.home(),
    ]


def signup_form_deleted_links(routes: Routes) -> list[dict]:
    return [link(routes.collection(), "parent /rels/signup-forms-collection", "Signup forms"), *routes.home()]


def _affordances(routes: Routes) -> list[dict]:
    return [link(routes.collection(), "/rels/create-signup-form", "Create a signup form")]


def signup_forms_page(account_name: str, rows, total: int, params: PageParams) -> dict:
    routes = hypermedia_routes(account_name)
    return page_envelope(
        [signup_form_item(routes, row) for row in rows],
        total,
        params,
        path=routes.collection(),
        collection_rel="/rels/signup-forms-collection",
        affordances=[*_affordances(routes), *routes.home()],
    )


def signup_forms_v1_page(page: Page, collection: Collection, query: Query) -> dict:
    body = envelope(
        [signup_form_item(V1_ROUTES, row) for row in page.rows],
        page,
        collection,
        query,
        path=V1_ROUTES.collection(),
        collection_rel="/rels/signup-forms-collection",
    )
    body["_links"] += _affordances(V1_ROUTES)
    return body
