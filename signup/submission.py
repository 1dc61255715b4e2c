"""A public post's body read against its form: the address, the form's fields by their types, the honeypot.
Keys the form does not name are ignored (a page's form may carry its own inputs, a submit button's name)."""

from dataclasses import dataclass

from api.problems import MISSING_DATA, VALIDATION_ERROR, ApiProblem
from fields.selectors import field_types
from fields.types import InvalidValue, coerce, is_empty
from signup.models import SignupForm
from signup.services import EMAIL
from subscribers.emails import Email, InvalidEmail, normalize_email


@dataclass(frozen=True)
class Submission:
    email: Email | None  # None when the honeypot was filled: nothing is read or written then
    values: dict
    honeypot: bool = False


def _get(data, name: str):
    """One value: a form post's last (a JSON body's as it is; lists and objects are no field's value)."""
    value = data.get(name)
    if isinstance(value, (list, dict)):
        raise InvalidValue("must be a single value")
    return value


def _problem(problem_type, errors: list[dict]) -> ApiProblem:
    return ApiProblem(problem_type, "; ".join(f"{e['field']}: {e['detail']}" for e in errors), errors=errors)


def read_submission(form: SignupForm, data) -> Submission:
    """The post's address and values, or 400.24 (the address or a required field is missing) / 400.2 (a value is
    not valid for its field's type), naming each field."""
    if not hasattr(data, "get"):
        raise _problem(VALIDATION_ERROR, [{"field": None, "detail": "the body must be a JSON object"}])
    trap = data.get(form.honeypot)
    if not is_empty(trap) and trap is not False:
        return Submission(None, {}, honeypot=True)
    types = dict(field_types(account=form.account))
    missing, invalid, values = [], [], {}
    try:
        raw = _get(data, EMAIL)
        email = None if is_empty(raw) else normalize_email(raw)
    except (InvalidValue, InvalidEmail) as exc:
        email = None
        invalid.append({"field": EMAIL, "detail": str(exc)})
    else:
        if email is None:
            missing.append({"field": EMAIL, "detail": "This field is required."})
    for entry in form.fields:
        name = entry["fieldName"]
        if name not in types:  # deleted since the form was written: the form no longer asks for it
            continue
        try:
            value = _get(data, name)
            if is_empty(value):
                if entry.get("required"):
                    missing.append({"field": name, "detail": "This field is required."})
                continue
            values[name] = coerce(types[name], value)
        except InvalidValue as exc:
            invalid.append({"field": name, "detail": f"{types[name]} value {exc}"})
    if missing and not invalid:
        raise _problem(MISSING_DATA, missing)
    if missing or invalid:
        raise _problem(VALIDATION_ERROR, invalid + missing)
    return Submission(email, values)
