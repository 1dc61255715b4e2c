from api.links import url, url_template
from api.registry import affordance, model, profile, ref, rel
from fields import problems  # noqa: F401  (the group's problem types, for /errors)
from fields.types import TYPES

FIELD_NAME_PATTERN = "^[A-Za-z][A-Za-z0-9_]{0,49}$"
INDEXED = (
    "Filterable: an index answers `/api/v1/contacts?field.<fieldName>=value` (its page and total) in milliseconds "
    "instead of reading every subscriber of the account. It costs every import of the account's subscribers and "
    "every change of fields, so it is off by default and an account has at most a few (`409.15`)."
)

profile(
    "field",
    "Field",
    {
        "description": "A subscriber field definition.",
        "type": "object",
        "required": ["fieldName", "label", "type", "predefined", "private", "indexed", "indexStatus", "_links"],
        "properties": {
            "fieldName": {"type": "string", "pattern": FIELD_NAME_PATTERN},
            "label": {"type": "string"},
            "type": {"enum": list(TYPES)},
            "predefined": {"type": "boolean"},
            "private": {"type": "boolean"},
            "indexed": {"type": "boolean", "description": INDEXED},
            "indexStatus": {
                "enum": ["none", "building", "ready"],
                "description": "The index of an indexed field: `building` until it answers the filter (a background "
                "job), then `ready`; `none` when the field is not indexed.",
            },
            "_links": {"type": "array", "items": ref("link")},
        },
    },
)
profile(
    "fields-collection",
    "Fields collection",
    {
        "description": "Every field of the account, predefined first (not paginated).",
        "type": "object",
        "required": ["items", "_links"],
        "properties": {
            "items": {"type": "array", "items": ref("field")},
            "_links": {"type": "array", "items": ref("link")},
        },
    },
)
profile(
    "field-input",
    "Field input",
    {
        "description": "The body to create a custom field.",
        "type": "object",
        "required": ["fieldName", "type"],
        "properties": {
            "fieldName": {"type": "string", "pattern": FIELD_NAME_PATTERN},
            "label": {"type": "string", "maxLength": 100},
            "type": {"enum": list(TYPES)},
            "private": {"type": "boolean", "default": False},
            "indexed": {"type": "boolean", "default": False, "description": INDEXED},
        },
    },
)
profile(
    "field-update",
    "Field update",
    {
        "description": "The editable members of a field: `label`, `private` and `indexed`.",
        "type": "object",
        "properties": {
            "label": {"type": "string", "maxLength": 100},
            "private": {"type": "boolean"},
            "indexed": {"type": "boolean", "description": INDEXED},
        },
    },
)

AUTH = ("401.1-invalid-token", "403.1-forbidden-wrong-account")
rel(
    "fields-collection",
    "Fields",
    "Every field definition of the account.",
    response_profile="fields-collection",
    problems=AUTH,
)
CREATE_PROBLEMS = (
    "400.24-missing-data",
    "400.2-validation-error",
    "400.38-duplicated-name",
    "409.5-too-many-fields",
    "409.15-too-many-indexed-fields",
)
rel(
    "create-field",
    "Create a field",
    "POST a custom field definition; 200 with a message, its links and `Location` (as the received Blueprint).",
    method="POST",
    request_profile="field-input",
    response_profile="message",
    problems=(*CREATE_PROBLEMS, *AUTH),
)
rel(
    "add-field",
    "Add a field",
    "The received Blueprint's name for `/rels/create-field`, on the Fields collection (`self /rels/add-field`): "
    "the same POST of a custom field definition; 200 with a message, its links and `Location`.",
    method="POST",
    request_profile="field-input",
    response_profile="message",
    problems=(*CREATE_PROBLEMS, *AUTH),
)
rel("field", "Field", "A field definition.", response_profile="field", problems=("404.1-not-found", *AUTH))
rel(
    "edit-field",
    "Edit a field",
    "PUT `label`, `private` and/or `indexed` of a field (predefined or custom). Setting `indexed` answers at once: "
    "the index is built (or dropped) in the background, and the field's `indexStatus` says when it is `ready`.",
    method="PUT",
    request_profile="field-update",
    response_profile="message",
    problems=("400.2-validation-error", "404.1-not-found", "409.15-too-many-indexed-fields", *AUTH),
)
rel(
    "delete-field",
    "Delete a field",
    "DELETE a custom field; its values are removed from every subscriber (and its index, if it is indexed). "
    "Predefined fields cannot be deleted.",
    method="DELETE",
    response_profile="message",
    problems=("404.1-not-found", "409.4-predefined-field", *AUTH),
)

model(
    "field",
    "Field",
    "A subscriber field: `fieldName` ([A-Za-z][A-Za-z0-9_]{0,49}, unique per account), `label`, `type` "
    f"({', '.join(TYPES)}), `predefined` (firstName, lastName, gender, birthday and country exist in every "
    "account and cannot be deleted), `private` and `indexed` (filterable: its contacts filter is answered by an "
    "index, `indexStatus` none, building or ready; it costs imports, so at most a few per account). "
    "Values are validated against the type on every write: "
    "number (JSON number or numeric string), boolean (true/false, yes/no, 1/0), date (YYYY-MM-DD), email, "
    "gender (M, F or X; male/female accepted), country (ISO 3166-1 alpha-2), string (at most 1000 characters).",
    profile="field",
)
model("fields-collection", "Fields collection", "Every field of an account.", profile="fields-collection")


def _field_template(account):
    return url_template("field-detail", {"account_name": account}, {"field_name": "fieldName"})


affordance(400, lambda account: url("field-collection", account_name=account), "/rels/fields-collection", "Fields")
affordance(401, lambda account: url("field-collection", account_name=account), "/rels/create-field", "Create field")
affordance(402, _field_template, "/rels/field", "Field details", templated=True)
affordance(403, _field_template, "/rels/edit-field", "Edit field", templated=True)
affordance(404, _field_template, "/rels/delete-field", "Delete field", templated=True)
