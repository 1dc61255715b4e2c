from django.db import transaction

from api.audit import record
from staff.models import Role, StaffRole


@transaction.atomic
def role_grant(*, user, account, role: str, make_staff: bool = False) -> StaffRole:
    """``user``'s role on ``account`` becomes ``role`` (given, or changed). ``make_staff``: the user may sign in to
    the back office from now on (the command does it; the admin offers staff users only)."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(Role.values)}")
    if make_staff and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    granted, _ = StaffRole.objects.update_or_create(user=user, account=account, defaults={"role": role})
    record(
        account_id=account.pk,
        action="role.grant",
        object_type="staff-role",
        object_id=granted.pk,
        details={"user": user.get_username(), "role": role},
    )
    return granted


@transaction.atomic
def role_revoke(*, staff_role: StaffRole) -> None:
    record(
        account_id=staff_role.account_id,
        action="role.revoke",
        object_type="staff-role",
        object_id=staff_role.pk,
        details={"user": staff_role.user.get_username(), "role": staff_role.role},
    )
    staff_role.delete()
