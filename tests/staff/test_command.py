import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from staff.models import StaffRole


@pytest.mark.django_db
def test_grant_role_gives_changes_and_revokes_a_role_and_makes_the_user_staff(owner, capsys):
    user = get_user_model().objects.create_user("ann", "ann@example.com", "pw")
    call_command("grant_role", "ann", "owner@example.com", "viewer")
    assert capsys.readouterr().out.strip() == "ann: viewer of owner@example.com"
    user.refresh_from_db()
    assert user.is_staff and StaffRole.objects.get(user=user, account=owner.account).role == "viewer"
    call_command("grant_role", "ann", "OWNER@example.com", "editor")
    assert StaffRole.objects.get(user=user).role == "editor"
    call_command("grant_role", "ann", "owner@example.com", "--revoke")
    assert not StaffRole.objects.filter(user=user).exists()
    trail = AuditEntry.objects.filter(account=owner.account, object_type="staff-role").order_by("id")
    assert [(e.actor_kind, e.actor_id, e.action, e.details["role"]) for e in trail] == [
        ("command", "grant_role", "role.grant", "viewer"),
        ("command", "grant_role", "role.grant", "editor"),
        ("command", "grant_role", "role.revoke", "editor"),
    ]


@pytest.mark.django_db
def test_grant_role_names_what_is_missing(owner):
    get_user_model().objects.create_user("ann", "ann@example.com", "pw")
    with pytest.raises(CommandError, match="no such user: bob"):
        call_command("grant_role", "bob", "owner@example.com", "viewer")
    with pytest.raises(CommandError, match=r"no such account: nobody@example\.com"):
        call_command("grant_role", "ann", "nobody@example.com", "viewer")
    with pytest.raises(CommandError, match="has no role"):
        call_command("grant_role", "ann", "owner@example.com", "--revoke")
    with pytest.raises(CommandError, match="give a ROLE"):
        call_command("grant_role", "ann", "owner@example.com")
