"""Signup form helpers: a form through the API, and posts to its public endpoint as browsers make them."""

import json
from urllib.parse import urlencode

from django.test import Client, TestCase

from tests.helpers import assert_hypermedia
from tests.subscribers.builders import Paths

SITE = "https://www.shop.example"
V1 = "/api/v1/forms"
UA = "Mozilla/5.0 (X11; Linux x86_64) Signup-Test/1.0"


def forms_path(api) -> str:
    return f"{Paths(api.owner).home}/forms"


def form_body(lists, **overrides) -> dict:
    return {
        "name": "Footer",
        "lists": lists,
        "fields": [{"fieldName": "firstName", "required": True}],
        "thankYouUrl": f"{SITE}/thanks",
        "errorUrl": f"{SITE}/oops?from=form",
        "allowedOrigins": [SITE],
        **overrides,
    }


def create_form(api, lists, **overrides) -> dict:
    """The new form's representation (/api/v1 answers it)."""
    response = api.post(V1, form_body(lists, **overrides))
    return assert_hypermedia(response, 201, "signup-form")


def post_form(key: str, data: dict, *, as_json=False, origin=SITE, ip="198.51.100.7", **headers):
    """A browser's post: urlencoded (an HTML form) or JSON (a page's script), with its Origin and address."""
    extra = {"REMOTE_ADDR": ip, "HTTP_USER_AGENT": UA, **headers}
    if origin is not None:
        extra["HTTP_ORIGIN"] = origin
    with TestCase.captureOnCommitCallbacks(execute=True):
        if as_json:
            return Client().post(f"/f/{key}", json.dumps(data), content_type="application/json", **extra)
        return Client().post(f"/f/{key}", urlencode(data), content_type="application/x-www-form-urlencoded", **extra)
