from api.links import url, url_template
from api.pagination import collection_schema
from api.registry import affordance, model, profile, ref, rel
from api.v1 import page_schema
from templates import problems  # noqa: F401  (the group's problem types, for /errors)
from templates.serializers import MAX_LAYOUT

LINKS = {"type": "array", "items": ref("link")}
TIME = {"type": "string", "format": "date-time"}
HTML = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_LAYOUT,
    "description": "The HTML layout: exactly one `{{ content }}` slot, where a campaign's HTML goes, and any "
    "merge tags (`{{ field }}`, `{{ field | fallback }}`, `{{ emailAddress }}`, `{{ unsubscribeUrl }}`). Its "
    "`<style>` rules are inlined when a campaign using it is compiled.",
}
TEXT = {
    "type": "string",
    "maxLength": MAX_LAYOUT,
    "description": "An optional text layout: empty, or exactly one `{{ content }}` slot, where the campaign's "
    "text (or the text generated from its HTML) goes.",
}
BODY = {
    "templateId": {"type": "integer"},
    "name": {"type": "string"},
    "html": HTML,
    "text": TEXT,
    "createdAt": TIME,
    "updatedAt": TIME,
    "_links": LINKS,
}
profile(
    "template",
    "Template",
    {
        "description": "A reusable layout of the account's campaigns, with a `{{ content }}` slot.",
        "type": "object",
        "required": ["templateId", "name", "html", "text", "createdAt", "updatedAt", "_links"],
        "properties": BODY,
    },
)
profile(
    "templates-collection", "Templates collection", collection_schema("template", "A page of the account's templates.")
)
profile(
    "templates-page",
    "Templates page (/api/v1)",
    page_schema(ref("template"), "A page of templates by `limit` and `offset`, or by `cursor`.", LINKS),
)
profile(
    "template-input",
    "Template input",
    {
        "description": "The body to create or replace a template. A missing or doubled `{{ content }}` slot, or a "
        "bad merge tag, answers 400.44 with one error per member.",
        "type": "object",
        "required": ["name", "html"],
        "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}, "html": HTML, "text": TEXT},
    },
)

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")
WRITE = ("400.24-missing-data", "400.2-validation-error", "400.44-template-invalid", "400.38-duplicated-name", *AUTH)
rel(
    "templates-collection",
    "Templates",
    "A page of the account's templates (`page`, `per_page`; on /api/v1 `limit`, `offset`, `cursor`).",
    response_profile="templates-collection",
    problems=("400.3-invalid-parameter", *AUTH),
)
rel(
    "create-template",
    "Create a template",
    "POST a name, an HTML layout with one `{{ content }}` slot and optionally a text layout; 201 with `Location`.",
    method="POST",
    request_profile="template-input",
    response_profile="message",
    problems=WRITE,
)
rel(
    "template",
    "Template",
    "A template: its name and layouts. A campaign names it by `templateId`.",
    response_profile="template",
    problems=("404.1-not-found", *AUTH),
)
rel(
    "edit-template",
    "Edit a template",
    "PUT the whole template. Draft and scheduled campaigns that use it show and send the new version; a campaign "
    "that started keeps the content it froze then.",
    method="PUT",
    request_profile="template-input",
    response_profile="message",
    problems=(*WRITE, "404.1-not-found"),
)
rel(
    "delete-template",
    "Delete a template",
    "DELETE a template no unfinished campaign uses.",
    method="DELETE",
    response_profile="message",
    problems=("404.1-not-found", "409.10-template-in-use", *AUTH),
)

model(
    "template",
    "Template",
    "A reusable HTML layout (and optionally a text one) with a `{{ content }}` slot and merge tags. A campaign "
    "that names it (`templateId`) is sent with its HTML in the slot, the CSS of `<style>` blocks inlined; the "
    "composed content is frozen when the campaign starts.",
    profile="template",
)
model(
    "templates-collection",
    "Templates collection",
    "A page of templates, with the pagination envelope.",
    profile="templates-collection",
)


def _template_template(view):
    return lambda account: url_template(view, {"account_name": account}, {"template_id": "templateId"})


affordance(
    560, lambda account: url("template-collection", account_name=account), "/rels/templates-collection", "Templates"
)
affordance(
    561, lambda account: url("template-collection", account_name=account), "/rels/create-template", "Create a template"
)
affordance(562, _template_template("template-detail"), "/rels/template", "Template details", templated=True)
affordance(563, _template_template("template-detail"), "edit /rels/edit-template", "Edit a template", templated=True)
affordance(
    564, _template_template("template-detail"), "delete /rels/delete-template", "Delete a template", templated=True
)
