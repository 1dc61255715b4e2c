from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from accounts.services import account_by_name
from api.commands import AuditedCommand, found
from staff.models import Role, StaffRole
from staff.services import role_grant, role_revoke


class Command(AuditedCommand):
    help = (
        "Give USERNAME the ROLE (viewer, editor, owner) on the account NAME, making the user staff (able to sign "
        "in to /admin/); --revoke takes the role away."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("account")
        parser.add_argument("role", nargs="?", choices=Role.values)
        parser.add_argument("--revoke", action="store_true", help="remove the user's role on the account")

    def handle(self, *args, username, account, role, revoke, **options):
        user = found(get_user_model().objects.filter(username=username).first(), f"no such user: {username}")
        account_row = found(account_by_name(account), f"no such account: {account}")
        if revoke:
            held = found(
                StaffRole.objects.filter(user=user, account=account_row).first(),
                f"{username} has no role on {account_row.name}",
            )
            role_revoke(staff_role=held)
            self.stdout.write(f"{username}: no role on {account_row.name} any more")
            return
        if role is None:
            raise CommandError("give a ROLE (viewer, editor, owner), or --revoke")
        role_grant(user=user, account=account_row, role=role, make_staff=True)
        self.stdout.write(f"{username}: {role} of {account_row.name}")
