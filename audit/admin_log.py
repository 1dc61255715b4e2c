"""The admin's writes that no service records (a model the back office edits directly: an API key's name, an
account's sending limits): recorded from the admin's own ``LogEntry``, written in the same transaction, when the
request recorded nothing else (a service's entry says more). Objects of no account (staff users, groups) have no
trail. Deletions are left out: the admin logs them before it deletes, so a service's entry would come after this one
(the back office deletes through the services; an account deleted takes its trail with it)."""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db.models.signals import post_save

from accounts.models import Account
from api.audit import STAFF, current_actor, record, recorded_here

VERBS = {ADDITION: "create", CHANGE: "update"}


def _account_id(obj) -> int | None:
    if isinstance(obj, Account):
        return obj.pk
    return getattr(obj, "account_id", None)


def _logged(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    actor = current_actor()
    if not created or instance.action_flag not in VERBS or actor is None or actor.kind != STAFF or recorded_here():
        return
    try:
        obj = instance.get_edited_object()
    except Exception:  # gone already, or of a model without a default manager: nothing to name it by
        return
    account_id = _account_id(obj)
    if account_id is None:
        return
    kind = instance.content_type.model
    record(
        account_id=account_id,
        action=f"{kind}.{VERBS[instance.action_flag]}",
        object_type=kind,
        object_id=instance.object_id,
        details={"admin": instance.get_change_message()[:200]},
    )


def connect() -> None:
    post_save.connect(_logged, sender=LogEntry, dispatch_uid="audit.admin_log")
