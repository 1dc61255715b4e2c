from django.conf import settings

from api.links import url, url_template
from api.pagination import collection_schema
from api.registry import affordance, model, profile, ref, rel
from api.v1 import page_schema
from signup import problems  # noqa: F401  (the group's problem types, for /errors)
from signup.serializers import MAX_FIELDS, MAX_LISTS, URL_MAX

LINKS = {"type": "array", "items": ref("link")}
TIME = {"type": "string", "format": "date-time"}
URL = {"type": ["string", "null"], "maxLength": URL_MAX}
FIELDS = {
    "type": "array",
    "maxItems": MAX_FIELDS,
    "description": "The account fields the form accepts, in the order its snippet shows them.",
    "items": {
        "type": "object",
        "required": ["fieldName"],
        "properties": {"fieldName": {"type": "string"}, "required": {"type": "boolean", "default": False}},
    },
}
CONFIG = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "lists": {
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_LISTS,
        "items": {"type": "integer", "minimum": 1},
        "description": "The account's lists a post subscribes to.",
    },
    "fields": FIELDS,
    "doubleOptIn": {
        "type": "boolean",
        "default": False,
        "description": "true: every list of the form asks new members to confirm; false: each list's own "
        "doubleOptIn decides (a list that requires confirmation always gets it).",
    },
    "thankYouUrl": {**URL, "description": "Where an HTML form's browser goes after a post (on allowedOrigins)."},
    "errorUrl": {**URL, "description": "Where it goes when the post is refused, with `error` and `field` added."},
    "allowedOrigins": {
        "type": "array",
        "maxItems": 20,
        "items": {"type": "string", "examples": ["https://www.example.com"]},
        "description": "The origins (scheme://host[:port]) whose pages may post to the form (CORS, Origin).",
    },
}
profile(
    "signup-form",
    "Signup form",
    {
        "description": "A signup form: the lists and fields of its public endpoint, where browsers go after it.",
        "type": "object",
        "required": ["formId", "formKey", "name", "lists", "fields", "doubleOptIn", "allowedOrigins", "_links"],
        "properties": {
            "formId": {"type": "integer"},
            "formKey": {"type": "string", "description": "The public, unguessable id in actionUrl."},
            **CONFIG,
            "honeypotField": {"type": "string", "description": "The hidden field a person leaves empty."},
            "actionUrl": {"type": "string", "format": "uri", "description": "POST here (no key): /f/{formKey}."},
            "createdAt": TIME,
            "updatedAt": TIME,
            "_links": LINKS,
        },
    },
)
profile(
    "signup-form-input",
    "Signup form input",
    {
        "description": "The body to create or replace a signup form. A list, field or origin the account does "
        "not have, or a URL off allowedOrigins, answers 400.2 naming it (`lists[1]`, `thankYouUrl`).",
        "type": "object",
        "required": ["name", "lists"],
        "properties": CONFIG,
    },
)
profile(
    "signup-forms-collection",
    "Signup forms collection",
    collection_schema("signup-form", "A page of the account's signup forms."),
)
profile(
    "signup-forms-page",
    "Signup forms page (/api/v1)",
    page_schema(ref("signup-form"), "A page of signup forms by `limit` and `offset`, or by `cursor`.", LINKS),
)
profile(
    "signup-submission",
    "Signup submission",
    {
        "description": "What a browser posts to a form's actionUrl, urlencoded or JSON: `emailAddress` and the "
        "form's fields by name (other names are ignored). The form's honeypotField must be absent or empty.",
        "type": "object",
        "required": ["emailAddress"],
        "properties": {"emailAddress": {"type": "string", "format": "email"}},
        "additionalProperties": {"type": ["string", "number", "boolean"]},
    },
)

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")
WRITE = ("400.24-missing-data", "400.2-validation-error", "400.38-duplicated-name", *AUTH)
rel(
    "signup-forms-collection",
    "Signup forms",
    "A page of the account's signup forms (`page`, `per_page`; on /api/v1 `limit`, `offset`, `cursor`).",
    response_profile="signup-forms-collection",
    problems=("400.3-invalid-parameter", *AUTH),
)
rel(
    "create-signup-form",
    "Create a signup form",
    "POST a name, lists, fields, the thank-you and error URLs and the allowed origins; 201 with `Location`.",
    method="POST",
    request_profile="signup-form-input",
    response_profile="message",
    problems=WRITE,
)
rel(
    "signup-form",
    "Signup form",
    "A signup form: its lists, fields, URLs, origins and public actionUrl.",
    response_profile="signup-form",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "edit-signup-form",
    "Edit a signup form",
    "PUT the whole form; its formKey, and so its actionUrl, stays.",
    method="PUT",
    request_profile="signup-form-input",
    response_profile="message",
    problems=(*WRITE, "404.1-not-found"),
)
rel(
    "delete-signup-form",
    "Delete a signup form",
    "DELETE a form: its actionUrl answers 404 from then on; the subscriptions it made stay.",
    method="DELETE",
    response_profile="message",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "signup-form-post",
    "Post a signup form",
    "POST (no key) from a browser: urlencoded (303 to the thank-you or error URL, or a page) or JSON (202, or "
    "problem+json naming the field). The answer is the same whatever the address's state. "
    f"At most `SIGNUP_POSTS_PER_IP` ({settings.SIGNUP_POSTS_PER_IP}) a minute from one IP address and "
    f"`SIGNUP_POSTS_PER_FORM` ({settings.SIGNUP_POSTS_PER_FORM}) to one form.",
    method="POST",
    request_profile="signup-submission",
    response_profile="message",
    problems=(
        "400.24-missing-data",
        "400.2-validation-error",
        "403.3-origin-not-allowed",
        "404.1-not-found",
        "415.1-unsupported-media-type",
        "429.4-signup-limit",
    ),
)

model(
    "signup-form",
    "Signup form",
    "A form on the account's own sites that subscribes people to lists: its public endpoint (actionUrl) takes "
    "urlencoded and JSON posts from the allowed origins, with a honeypot and rate limits, and never tells "
    "whether an address is known.",
    profile="signup-form",
)
model(
    "signup-forms-collection",
    "Signup forms collection",
    "A page of signup forms, with the pagination envelope.",
    profile="signup-forms-collection",
)


def _form_template(view):
    return lambda account: url_template(view, {"account_name": account}, {"form_id": "formId"})


affordance(
    700,
    lambda account: url("signup-form-collection", account_name=account),
    "/rels/signup-forms-collection",
    "Signup forms",
)
affordance(
    701,
    lambda account: url("signup-form-collection", account_name=account),
    "/rels/create-signup-form",
    "Create a signup form",
)
affordance(702, _form_template("signup-form-detail"), "/rels/signup-form", "Signup form details", templated=True)
affordance(
    703, _form_template("signup-form-detail"), "edit /rels/edit-signup-form", "Edit a signup form", templated=True
)
affordance(
    704, _form_template("signup-form-detail"), "delete /rels/delete-signup-form", "Delete a signup form", templated=True
)
