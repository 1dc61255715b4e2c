from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from api.audit import record
from api.epoch_cache import invalidate
from api.problems import VALIDATION_ERROR, ApiProblem
from fields.indexing import field_index_queue
from fields.models import Field, IndexStatus
from fields.problems import PREDEFINED_FIELD, TOO_MANY_FIELDS, TOO_MANY_INDEXED_FIELDS
from fields.selectors import field_types
from fields.types import InvalidValue, coerce, is_empty
from lists.problems import DUPLICATED_NAME
from subscribers.services import subscriber_fields_drop

MAX_CUSTOM_FIELDS = 200
INDEXED_CAP_LOCK = 0x46434150  # "FCAP": the first key of the advisory lock on an account's indexed fields
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
        details={"type": field.type, "indexed": field.indexed},
    )


def _check_indexed_cap(account_id: int, *, exclude: int | None = None) -> None:
    """At most FIELDS_INDEXED_MAX indexed fields per account. Two requests that each index one more wait for each
    other (a transaction lock on the account, PostgreSQL; SQLite's transactions take turns already)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [INDEXED_CAP_LOCK, account_id])
    indexed = Field.objects.filter(account_id=account_id, indexed=True).exclude(pk=exclude)
    cap = settings.FIELDS_INDEXED_MAX
    if indexed.count() >= cap:
        names = ", ".join(indexed.order_by("position", "id").values_list("name", flat=True))
        detail = f"The account indexes {cap} fields already ({names or 'none allowed'}); unindex one first."
        raise ApiProblem(TOO_MANY_INDEXED_FIELDS, detail, errors=[{"field": "indexed", "detail": detail}])


def _index_change(field: Field, indexed: bool) -> None:
    """Mark the field indexed or not; its index is built or dropped by a job once this commits."""
    field.indexed = indexed
    field.index_status = IndexStatus.BUILDING if indexed else IndexStatus.NONE
    field.index_requested_at = timezone.now()
    field_index_queue(field.pk)


@transaction.atomic
def field_create(
    *, account, name: str, type: str, label: str | None = None, private: bool = False, indexed: bool = False
) -> Field:
    if Field.objects.filter(account=account, name__iexact=name).exists():
        raise ApiProblem(DUPLICATED_NAME, f"Already exists a field with the name '{name}'.")
    if Field.objects.filter(account=account, predefined=False).count() >= MAX_CUSTOM_FIELDS:
        raise ApiProblem(TOO_MANY_FIELDS)
    if indexed:
        _check_indexed_cap(account.pk)
    try:
        with transaction.atomic():
            field = Field.objects.create(account=account, name=name, label=label or name, type=type, private=private)
    except IntegrityError:
        raise ApiProblem(DUPLICATED_NAME, f"Already exists a field with the name '{name}'.") from None
    if indexed:
        _index_change(field, True)
        field.save(update_fields=["indexed", "index_status", "index_requested_at"])
    _record(field, "create")
    return field


@transaction.atomic
def field_update(
    *, field: Field, label: str | None = None, private: bool | None = None, indexed: bool | None = None
) -> Field:
    if label is not None:
        field.label = label
    if private is not None:
        field.private = private
    changed = ["label", "private"]
    # Compared with the row as stored (locked): the admin's form has set the instance's attributes already.
    stored = Field.objects.select_for_update().filter(pk=field.pk).values_list("indexed", flat=True).first()
    if indexed is not None and indexed != stored:
        if indexed:
            _check_indexed_cap(field.account_id, exclude=field.pk)
        _index_change(field, indexed)
        changed += ["indexed", "index_status", "index_requested_at"]
    field.save(update_fields=changed)
    _record(field, "update")
    return field


@transaction.atomic
def field_delete(*, field: Field) -> None:
    """Delete a custom field and, in one statement, its values from every subscriber."""
    if field.predefined:
        raise ApiProblem(PREDEFINED_FIELD, f"'{field.name}' is a predefined field and cannot be deleted.")
    subscriber_fields_drop(account_id=field.account_id, name=field.name)
    _record(field, "delete")
    field.delete()  # an indexed field's index goes too (fields/signals.py: a deleted account's fields as well)


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
