"""Signup form writes: the form resource (its lists, fields and origins checked against the account), and a
public post's subscription, through ``subscribers.services.subscription_request`` like every other way in."""

import secrets

from django.db import IntegrityError, transaction

from api.audit import record
from api.problems import VALIDATION_ERROR, ApiProblem
from fields.selectors import field_types
from lists.problems import DUPLICATED_NAME
from lists.selectors import lists_existing, lists_of
from signup.models import SignupForm
from signup.origins import InvalidOrigin, normalize_origin, origin_of
from subscribers.emails import Email
from subscribers.problems import SUBSCRIBER_SUPPRESSED
from subscribers.selectors import subscriber_find
from subscribers.services import ConsentRequest, subscription_request

EMAIL = "emailAddress"  # the address's name in a post: not an account field, always there and required


def _origins(values, errors: list) -> list[str]:
    origins = []
    for index, value in enumerate(values):
        try:
            origin = normalize_origin(value)
        except InvalidOrigin as exc:
            errors.append({"field": f"allowedOrigins[{index}]", "detail": str(exc)})
            continue
        if origin not in origins:
            origins.append(origin)
    return origins


def _url(name: str, url: str, origins: list[str], errors: list) -> None:
    if not url:
        return
    origin = origin_of(url)
    if origin is None:
        errors.append({"field": name, "detail": "must be an absolute http or https URL"})
    elif origin not in origins:
        errors.append({"field": name, "detail": f"must be on one of allowedOrigins ({origin} is not)"})


def _fields(account, fields: list[dict], errors: list) -> list[dict]:
    types = dict(field_types(account=account))
    seen = set()
    for index, entry in enumerate(fields):
        name = entry["fieldName"]
        if name == EMAIL:
            errors.append({"field": f"fields[{index}].fieldName", "detail": f"{EMAIL} is always on the form"})
        elif name not in types:
            errors.append({"field": f"fields[{index}].fieldName", "detail": f"the account has no field '{name}'"})
        elif name in seen:
            errors.append({"field": f"fields[{index}].fieldName", "detail": f"'{name}' is on the form already"})
        seen.add(name)
    return fields


def _checked(account, *, list_ids, fields, thank_you_url, error_url, allowed_origins) -> dict:
    """The configuration normalised, or 400.2 naming each bad entry by its path."""
    errors = []
    known = lists_existing(account_id=account.pk, list_ids=list_ids)
    for index, list_id in enumerate(list_ids):
        if list_id not in known:
            errors.append({"field": f"lists[{index}]", "detail": f"the account has no list {list_id}"})
    fields = _fields(account, fields, errors)
    origins = _origins(allowed_origins, errors)
    _url("thankYouUrl", thank_you_url, origins, errors)
    _url("errorUrl", error_url, origins, errors)
    if errors:
        raise ApiProblem(VALIDATION_ERROR, "; ".join(f"{e['field']}: {e['detail']}" for e in errors[:5]), errors=errors)
    return {
        "list_ids": sorted(set(list_ids)),
        "fields": fields,
        "thank_you_url": thank_you_url,
        "error_url": error_url,
        "allowed_origins": origins,
    }


def _duplicated(name: str) -> ApiProblem:
    return ApiProblem(DUPLICATED_NAME, f"Already exists a signup form with the name '{name}'.")


def _save(form: SignupForm, *, name: str, double_opt_in: bool, **config) -> SignupForm:
    checked = _checked(form.account, **config)
    others = SignupForm.objects.filter(account=form.account, name__iexact=name)
    if form.pk:
        others = others.exclude(pk=form.pk)
    if others.exists():
        raise _duplicated(name)
    form.name, form.double_opt_in, form.fields = name, double_opt_in, checked["fields"]
    form.thank_you_url, form.error_url = checked["thank_you_url"], checked["error_url"]
    form.allowed_origins = checked["allowed_origins"]
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:  # a concurrent write took the name
        raise _duplicated(name) from None
    form.lists.set(checked["list_ids"])
    return form


def _recorded(form: SignupForm, verb: str) -> SignupForm:
    record(
        account_id=form.account_id,
        action=f"form.{verb}",
        object_type="form",
        object_id=form.pk,
        details={"name": form.name},
    )
    return form


@transaction.atomic
def signup_form_create(*, account, name: str, double_opt_in: bool = False, **config) -> SignupForm:
    """A new form with a fresh public key. ``config``: list_ids, fields, thank_you_url, error_url,
    allowed_origins."""
    form = SignupForm(account=account, key=secrets.token_urlsafe(16))
    return _recorded(_save(form, name=name, double_opt_in=double_opt_in, **config), "create")


@transaction.atomic
def signup_form_update(*, form: SignupForm, name: str, double_opt_in: bool = False, **config) -> SignupForm:
    """PUT: the whole form; its key (the snippets already pasted on sites) stays."""
    form = SignupForm.objects.select_for_update().select_related("account").get(pk=form.pk)
    return _recorded(_save(form, name=name, double_opt_in=double_opt_in, **config), "update")


@transaction.atomic
def signup_form_delete(*, form: SignupForm) -> None:
    """Its public endpoint answers 404 from now on; the subscriptions it made stay, with their consent records."""
    SignupForm.objects.filter(pk=form.pk).delete()
    _recorded(form, "delete")


@transaction.atomic
def signup_submit(*, form: SignupForm, email: Email, values: dict, consent: ConsentRequest) -> None:
    """A public post, valid and past the honeypot: subscribe ``email`` to each of the form's lists.

    The caller answers the same whatever happens here, so nothing here may tell an address's state: a new
    address is created with ``values``; a known one keeps its field values (an anonymous post must not edit
    someone's data: the preference center does that) and joins the lists it is not on (pending where the list,
    or the form, asks for confirmation); an unsubscribed, hard-bounced or erased address is left as it is and
    sent nothing (``subscription_request`` refuses it without ``resubscribe``, which a form never sends: a
    user's unsubscription is not undone by anyone who knows the address).
    """
    account = form.account
    to_set = values if subscriber_find(account=account, email_md5=email.md5) is None else None
    for mailing_list in lists_of(account=account).filter(pk__in=form.lists.values("pk")):
        try:
            subscription_request(
                account=account,
                mailing_list=mailing_list,
                email=email,
                to_set=to_set,
                consent=consent,
                require_confirmation=form.double_opt_in,
            )
        except ApiProblem as problem:
            if problem.problem_type is not SUBSCRIBER_SUPPRESSED:
                raise
            return
