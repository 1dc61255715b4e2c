from django.db import IntegrityError, transaction

from api.audit import record
from api.epoch_cache import invalidate
from api.problems import VALIDATION_ERROR, ApiProblem
from fields.models import Field
from fields.problems import PREDEFINED_FIELD, TOO_MANY_FIELDS
from fields.selectors import field_types
from fields.types import InvalidValue, coerce, is_empty
from lists.problems import DUPLICATED_NAME
from subscribers.services import subscriber_fields_drop

MAX_CUSTOM_FIELDS = 200
PREDEFINED = (
    ("firstName", "First Name", "string"),
    ("lastName", "Last Name", "string"),
    ("gender", "Gender", "gender"),
    ("birthday", "Birthday", "date"),
    ("country", "Country", "country"),
)


def fields_ensure_predefined(*, account) -> None:
    existing = set(Field.objects.filter(account=account, predefined=True).values_list("name", flat=True))
    Field.objects.bulk_create(
        [
            Field(account=account, name=name, label=label, type=type_, predefined=True, position=index)
            for index, (name, label, type_) in enumerate(PREDEFINED)
            if name not in existing
        ],
        ignore_conflicts=True,
    )
    invalidate()  # bulk_create sends no signal


def _record(field: Field, verb: str) -> None:
    """A field is named by its name (its id on both surfaces)."""
    record(
        account_id=field.account_id,
        action=f"field.{verb}",
        object_type="field",
        object_id=field.name,
        details={"type": field.type},
    )


@transaction.atomic
def field_create(*, account, name: str, type: str, label: str | None = None, private: bool = False) -> Field:
    if Field.objects.filter(account=account, name__iexact=name).exists():
        raise ApiProblem(DUPLICATED_NAME, f"Already exists a field with the name '{name}'.")
    if Field.objects.filter(account=account, predefined=False).count() >= MAX_CUSTOM_FIELDS:
        raise ApiProblem(TOO_MANY_FIELDS)
    try:
        with transaction.atomic():
            field = Field.objects.create(account=account, name=name, label=label or name, type=type, private=private)
    except IntegrityError:
        raise ApiProblem(DUPLICATED_NAME, f"Already exists a field with the name '{name}'.") from None
    _record(field, "create")
    return field


@transaction.atomic
def field_update(*, field: Field, label: str | None = None, private: bool | None = None) -> Field:
    if label is not None:
        field.label = label
    if private is not None:
        field.private = private
    field.save(update_fields=["label", "private"])
    _record(field, "update")
    return field


@transaction.atomic
def field_delete(*, field: Field) -> None:
    """Delete a custom field and, in one statement, its values from every subscriber."""
    if field.predefined:
        raise ApiProblem(PREDEFINED_FIELD, f"'{field.name}' is a predefined field and cannot be deleted.")
    subscriber_fields_drop(account_id=field.account_id, name=field.name)
    _record(field, "delete")
    field.delete()


def field_values_validate(*, account, entries) -> tuple[dict, set[str]]:
    """``[{fieldName, value}]`` → (values to set, names to unset), or 400.2 naming each bad field."""
    types = dict(field_types(account=account))
    to_set, to_unset, errors = {}, set(), []
    for index, entry in enumerate(entries or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("fieldName"), str):
            errors.append({"field": f"fields[{index}]", "detail": "must be an object with fieldName and value"})
            continue
        name = entry["fieldName"]
        if name not in types:
            errors.append({"field": f"fields.{name}", "detail": "unknown field; create it first"})
        elif "value" not in entry or is_empty(entry["value"]):
            to_unset.add(name)
        else:
            try:
                to_set[name] = coerce(types[name], entry["value"])
            except InvalidValue as exc:
                errors.append({"field": f"fields.{name}", "detail": f"{types[name]} value {exc}"})
    if errors:
        summary = "; ".join(f"{e['field']}: {e['detail']}" for e in errors[:5])
        raise ApiProblem(VALIDATION_ERROR, summary, errors=errors)
    return to_set, to_unset
