from staff.models import StaffRole


def roles_of_user(user) -> dict[int, str]:
    """``{account_id: role}`` of ``user`` (one query; api.roles reads it once per request)."""
    return dict(StaffRole.objects.filter(user=user).values_list("account_id", "role"))
