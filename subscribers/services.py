"""Subscriber writes. Each keeps the status and list counters exact in its own transaction."""

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from api.audit import record
from api.problems import VALIDATION_ERROR, ApiProblem
from api.sql import fetch_one
from lists.models import MailingList
from lists.selectors import lists_existing
from subscribers import confirmations, events, sql
from subscribers.counters import list_counts_move, status_counts_move
from subscribers.emails import Email, email_md5
from subscribers.erasure import is_suppressed, suppression_lift
from subscribers.membership import (
    API,
    ConsentRequest,
    membership_add,
    membership_join,
    membership_remove,
    memberships_join,
)
from subscribers.models import (
    SUPPRESSED,
    UNSUBSCRIBED,
    ConsentSource,
    Membership,
    Status,
    Subscriber,
    Suppression,
)
from subscribers.problems import EMAIL_IN_USE, SUBSCRIBER_SUPPRESSED

# Statuses a PUT may set; bounces and user unsubscriptions come from what happened, not from an edit.
SETTABLE_STATUSES = frozenset({Status.ACTIVE, Status.UNSUBSCRIBED_BY_ADMIN})


def _get_or_create_locked(
    account, email: Email, *, resubscribe: bool = False, fields: dict | None = None
) -> tuple[Subscriber, bool]:
    """The account's subscriber for ``email``, row-locked; safe against concurrent creates. A new one is
    created with ``fields``.

    An erased address (a ``Suppression``) is refused with 409.2 unless ``resubscribe``, which lifts it.
    """
    if is_suppressed(account.pk, email.md5):
        if not resubscribe:
            raise ApiProblem(
                SUBSCRIBER_SUPPRESSED,
                f'{email.address} was erased from the account; send "resubscribe": true to add it again.',
            )
        suppression_lift(account.pk, email.md5)
    existing = _locked(account, email)
    if existing is not None:
        return existing, False
    subscriber = Subscriber(account=account, email_md5=email.md5, email=email.address, fields=fields or {})
    if not _insert_unless_exists(subscriber):  # a concurrent transaction created the address meanwhile
        return _locked(account, email), False
    # Created in this transaction, so already locked by it.
    status_counts_move(account.pk, frozenset(), subscriber.buckets)
    events.created(subscriber)
    return subscriber, True


def _insert_unless_exists(subscriber: Subscriber) -> bool:
    """Insert ``subscriber`` unless its address exists (then False), in one statement: no savepoint to
    catch the unique violation in (a concurrent insert of the same address waits for that transaction)."""
    pk = sql.insert_subscriber(subscriber)
    if pk is None:
        return False
    subscriber.pk = pk
    subscriber._state.adding, subscriber._state.db = False, connection.alias
    return True


def _locked(account, email: Email) -> Subscriber | None:
    return fetch_one(Subscriber, "account_id = %s AND email_md5 = %s", [account.pk, email.md5], for_update=True)


def _set_status(subscriber: Subscriber, status: str, *, reason: str | None = None) -> None:
    previous = subscriber.status
    was_active = previous == Status.ACTIVE
    old_buckets = subscriber.buckets
    subscriber.status = status
    if status in UNSUBSCRIBED:
        subscriber.unsubscribed_at = timezone.now()
        subscriber.unsubscribe_reason = reason
    elif status == Status.ACTIVE:
        subscriber.unsubscribed_at = None
        subscriber.unsubscribe_reason = None
    subscriber.save(update_fields=["status", "unsubscribed_at", "unsubscribe_reason", "updated_at"])
    status_counts_move(subscriber.account_id, old_buckets, subscriber.buckets)
    list_counts_move(subscriber.pk, int(status == Status.ACTIVE) - int(was_active))
    events.status_changed(subscriber, previous)


def _apply_fields(subscriber: Subscriber, to_set: dict, to_unset: set, *, replace: bool = False) -> bool:
    """Whether the values changed."""
    values = {} if replace else dict(subscriber.fields)
    values.update(to_set)
    for name in to_unset:
        values.pop(name, None)
    if values == subscriber.fields:
        return False
    subscriber.fields = values
    subscriber.save(update_fields=["fields", "updated_at"])
    return True


def _record(subscriber: Subscriber, verb: str, **details) -> None:
    """The audit trail names a subscriber by its ``emailMd5`` (its id on both surfaces), never its address."""
    record(
        account_id=subscriber.account_id,
        action=f"subscriber.{verb}",
        object_type="subscriber",
        object_id=subscriber.email_md5,
        details=details,
    )


@dataclass(frozen=True)
class Subscription:
    subscriber: Subscriber
    created: bool  # the subscriber is new
    pending: bool  # the membership waits for the address's confirmation (a double opt-in list)
    confirmation_sent: bool  # a confirmation email was queued by this request


@transaction.atomic
def subscription_request(
    *,
    account,
    mailing_list: MailingList,
    email: Email,
    to_set: dict | None = None,
    to_unset: set | None = None,
    resubscribe: bool = False,
    consent: ConsentRequest = API,
    require_confirmation: bool = False,
) -> Subscription:
    """Subscribe ``email`` to the list (creating the subscriber, or changing only the fields given), with the
    consent record of ``consent`` (where the request came from). ``require_confirmation`` asks for double opt-in
    even when the list does not (a signup form's own setting); nothing removes it from a list that requires it.

    An unsubscribed or hard-bounced subscriber is refused (409.2) unless ``resubscribe``. On a double opt-in list
    the membership is pending and a confirmation email is queued (subscribers/consents.py). A member stays a
    member (no confirmation); a pending one stays pending: the first email stands, so a retried request sends
    nothing (``consent.services.confirmation_resend`` sends another).
    """
    subscriber, created = _get_or_create_locked(account, email, resubscribe=resubscribe, fields=to_set)
    reactivated = subscriber.status in SUPPRESSED
    if reactivated:
        if not resubscribe:
            raise ApiProblem(
                SUBSCRIBER_SUPPRESSED,
                f'{subscriber.email} is {subscriber.status}; send "resubscribe": true to reactivate it.',
            )
        _set_status(subscriber, Status.ACTIVE)
    if _apply_fields(subscriber, to_set or {}, to_unset or set()) or reactivated:
        events.updated(subscriber)
    pending, requested = membership_join(
        subscriber,
        mailing_list.pk,
        consent,
        double_opt_in=mailing_list.double_opt_in or require_confirmation,
        new_subscriber=created,
    )
    sent = confirmations.send(requested) if requested is not None else False
    _record(subscriber, "subscribe", listId=mailing_list.pk, created=created, pending=pending)
    return Subscription(subscriber, created, pending, sent)


def subscriber_subscribe(**kwargs) -> tuple[Subscriber, bool]:
    """``subscription_request``, answering (subscriber, created) only."""
    done = subscription_request(**kwargs)
    return done.subscriber, done.created


@transaction.atomic
def subscriber_remove_from_list(*, subscriber: Subscriber, mailing_list: MailingList) -> bool:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    removed = membership_remove(subscriber, mailing_list.pk)
    if removed:
        _record(subscriber, "remove", listId=mailing_list.pk)
    return removed


@transaction.atomic
def subscriber_replace(
    *,
    subscriber: Subscriber,
    email: Email,
    list_ids: list[int],
    status: str | None,
    to_set: dict,
    to_unset: set,
    consent: ConsentRequest = API,
) -> Subscriber:
    """PUT: the full representation. Lists and fields are replaced; a new address renames."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    _check_replacement(subscriber, list_ids, status)
    changed = email.address != subscriber.email
    if email.md5 != subscriber.email_md5:
        _rename(subscriber, email)
    elif changed:
        subscriber.email = email.address
        subscriber.save(update_fields=["email", "updated_at"])
    if status is not None and status != subscriber.status:
        _set_status(subscriber, status, reason=subscriber.unsubscribe_reason)
        changed = True
    changed = _apply_fields(subscriber, to_set, to_unset, replace=True) or changed
    current = set(subscriber.memberships.values_list("list_id", flat=True))
    for list_id in current - set(list_ids):
        membership_remove(subscriber, list_id)
    memberships_join(subscriber, set(list_ids) - current, consent=consent)
    if changed or current != set(list_ids):
        events.updated(subscriber)
    _record(subscriber, "update")
    return subscriber


def _check_replacement(subscriber: Subscriber, list_ids: list[int], status: str | None) -> None:
    errors = []
    if status is not None and status != subscriber.status and status not in SETTABLE_STATUSES:
        errors.append(
            {
                "field": "status",
                "detail": f"can be kept as {subscriber.status} or set to {' or '.join(sorted(SETTABLE_STATUSES))}",
            }
        )
    known = lists_existing(account_id=subscriber.account_id, list_ids=list_ids)
    unknown = [list_id for list_id in list_ids if list_id not in known]
    if unknown:
        errors.append({"field": "belongsToLists", "detail": f"unknown lists: {unknown}"})
    if errors:
        raise ApiProblem(VALIDATION_ERROR, "; ".join(f"{e['field']}: {e['detail']}" for e in errors), errors=errors)


def _rename(subscriber: Subscriber, email: Email) -> None:
    taken = Subscriber.objects.filter(account_id=subscriber.account_id, email_md5=email.md5).exists()
    if taken:
        raise ApiProblem(EMAIL_IN_USE, f"Another subscriber already has the address {email.address}.")
    if is_suppressed(subscriber.account_id, email.md5):
        raise ApiProblem(
            SUBSCRIBER_SUPPRESSED,
            f"{email.address} was erased from the account: a rename cannot "
            'take it; create it with "resubscribe": true if the person asked again.',
        )
    subscriber.email, subscriber.email_md5 = email.address, email.md5
    try:
        with transaction.atomic():
            subscriber.save(update_fields=["email", "email_md5", "updated_at"])
    except IntegrityError:  # taken concurrently
        raise ApiProblem(EMAIL_IN_USE, f"Another subscriber already has the address {email.address}.") from None


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber, reason: str | None, origin: str = "admin") -> bool:
    """Unsubscribe; False (and nothing changes) when already unsubscribed."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status in UNSUBSCRIBED:
        return False
    status = Status.UNSUBSCRIBED_BY_USER if origin == "user" else Status.UNSUBSCRIBED_BY_ADMIN
    _set_status(subscriber, status, reason=reason)
    _record(subscriber, "unsubscribe")
    return True


def skip_outcome(status: str) -> str:
    return "skippedBounced" if status == Status.HARD_BOUNCE else "skippedUnsubscribed"


def subscriber_import_one(
    *,
    account,
    mailing_list: MailingList,
    email: Email,
    to_set: dict,
    double_opt_in: bool = False,
    consent: ConsentRequest | None = None,
) -> str:
    """One imported row, through the ORM (the portable path): its outcome: new, updated, alreadyInList,
    pending (a double opt-in import: its confirmation is due), skippedUnsubscribed or skippedBounced.

    Suppressed subscribers and erased addresses are skipped, never reactivated; given fields are merged.
    """
    if is_suppressed(account.pk, email.md5):
        return "skippedUnsubscribed"
    subscriber, created = _get_or_create_locked(account, email)
    if subscriber.status in SUPPRESSED:
        return skip_outcome(subscriber.status)
    _apply_fields(subscriber, to_set, set())
    consent = consent or ConsentRequest(ConsentSource.IMPORT)
    if double_opt_in:
        _, requested = membership_join(subscriber, mailing_list.pk, consent, double_opt_in=True, new_subscriber=created)
        return "pending" if requested is not None else "alreadyInList"
    joined = not Membership.objects.filter(list=mailing_list, subscriber=subscriber).exists()
    membership_add(subscriber, mailing_list.pk, consent=consent)
    return "new" if created else ("updated" if joined else "alreadyInList")


def subscriber_record_bounce(*, subscriber_id: int, hard: bool, threshold: int) -> None:
    """A message bounced. Hard: the subscriber becomes hard-bounce (suppressed). Soft: counted, and an
    active subscriber becomes soft-bounce at ``threshold`` soft bounces."""
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        return
    if hard:
        if subscriber.status in (Status.ACTIVE, Status.SOFT_BOUNCE):
            _set_status(subscriber, Status.HARD_BOUNCE)
        return
    Subscriber.objects.filter(pk=subscriber_id).update(soft_bounces=F("soft_bounces") + 1)
    if subscriber.status == Status.ACTIVE and subscriber.soft_bounces + 1 >= threshold:
        _set_status(subscriber, Status.SOFT_BOUNCE)


@transaction.atomic
def subscriber_record_open(*, subscriber_id: int, at) -> None:
    """An opened message: the subscriber's last open (it leaves the never-open bucket on its first)."""
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None or (subscriber.last_open_at and subscriber.last_open_at >= at):
        return
    old_buckets = subscriber.buckets
    subscriber.last_open_at = at
    Subscriber.objects.filter(pk=subscriber_id).update(last_open_at=at)
    status_counts_move(subscriber.account_id, old_buckets, subscriber.buckets)


def _check_lists(account_id: int, list_ids: list[int], field: str) -> None:
    known = lists_existing(account_id=account_id, list_ids=list_ids)
    unknown = [list_id for list_id in list_ids if list_id not in known]
    if unknown:
        raise ApiProblem(
            VALIDATION_ERROR,
            f"{field}: unknown lists: {unknown}",
            errors=[{"field": field, "detail": f"unknown lists: {unknown}"}],
        )


@transaction.atomic
def contact_create(
    *,
    account,
    email: Email,
    to_set: dict,
    list_ids: list[int],
    resubscribe: bool = False,
    consent: ConsentRequest = API,
) -> Subscriber:
    """POST /api/v1/contacts: a new subscriber with its fields and lists; 409.3 when the address exists,
    409.2 when it was erased (unless ``resubscribe``)."""
    _check_lists(account.pk, list_ids, "lists")
    subscriber, created = _get_or_create_locked(account, email, resubscribe=resubscribe, fields=to_set)
    if not created:
        raise ApiProblem(EMAIL_IN_USE, f"The account already has a contact {email.address}.")
    memberships_join(subscriber, list_ids, new_subscriber=True, consent=consent)
    _record(subscriber, "create", lists=list_ids)
    return subscriber


def suppression_add(*, account_id: int, email: str, reason: str) -> bool:
    """Never send to ``email`` again (an address that is no subscriber unsubscribed); False when it already was."""
    _, created = Suppression.objects.get_or_create(
        account_id=account_id, email_md5=email_md5(email), defaults={"reason": reason}
    )
    return created


def subscriber_fields_drop(*, account_id: int, name: str) -> None:
    """A field was deleted (fields/): its values go from every subscriber of the account, in one statement."""
    sql.drop_field(account_id, name)


def subscribers_lock(*, subscriber_ids: list[int]) -> None:
    """Inside a transaction: lock these subscribers' rows, in id order (so two writers cannot deadlock)."""
    list(
        Subscriber.objects.select_for_update().filter(pk__in=subscriber_ids).order_by("pk").values_list("pk", flat=True)
    )
