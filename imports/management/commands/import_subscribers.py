from pathlib import Path

from django.core.management.base import CommandError

from accounts.services import account_by_name
from api.commands import AuditedCommand, found
from api.problems import ApiProblem
from imports.runner import import_run
from imports.serializers import json_payload
from imports.services import import_submit
from imports.sources import EXTENSIONS
from lists.selectors import list_get
from tasks.representations import task_summary
from tasks.selectors import task_get_by_id

BAR_WIDTH = 40


class Command(AuditedCommand):
    help = (
        "Import a file into a list in the foreground, through the same checks, task and code path as the API "
        "(POST /accounts/{a}/lists/{id}/subscribers/import), with a progress bar. The format comes from the "
        "extension: .csv, .xls, .xlsx, or .json, the API's JSON body: "
        '{"items": [{"emailAddress": "…", "fields": [{"fieldName": "firstName", "value": "…"}]}]}. '
        "Row errors do not stop it; the summary says how many and where they are listed. "
        "list_accounts and list_lists show the names and ids."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv, .xls, .xlsx or .json file")
        parser.add_argument("--account", required=True, help="the account name")
        parser.add_argument("--list", required=True, type=int, dest="list_id", help="the list id (list_lists NAME)")

    def handle(self, *args, file, account, list_id, **options):
        path = Path(file)
        fmt = EXTENSIONS.get(path.suffix.lower())
        if fmt is None:
            raise CommandError(f"{file}: give a .csv, .xls, .xlsx or .json file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        owner = found(account_by_name(account), f"no account {account}")
        try:
            mailing_list = list_get(account=owner, list_id=list_id)
            if fmt == "json":
                fmt, _, prepared, callback = json_payload(data)
                task = import_submit(
                    account=owner,
                    mailing_list=mailing_list,
                    fmt=fmt,
                    prepared=prepared,
                    callback=callback,
                    enqueue=False,
                )
            else:
                task = import_submit(account=owner, mailing_list=mailing_list, fmt=fmt, data=data, enqueue=False)
        except ApiProblem as problem:
            raise CommandError(problem.problem_detail) from None
        self.stdout.write(
            f"task {task.pk}: {task.total} rows from {path.name} into list {list_id} ({mailing_list.name})"
        )
        self._shown = 0
        import_run(task_id=task.pk, progress=lambda task: self._bar(task.processed, task.total), reading=self._bar)
        task = task_get_by_id(task_id=task.pk)
        self._bar(task.processed, task.total)
        self.stdout.write("")
        for line in task_summary(task):
            self.stdout.write(line)
        if task.status != "done":
            raise CommandError(f"the import ended {task.status}")

    def _bar(self, rows: int, total: int) -> None:
        # Rows read run ahead of rows committed: the bar never goes back.
        self._shown = max(self._shown, rows)
        percent = 100.0 if not total else min(100.0, self._shown * 100 / total)
        filled = int(BAR_WIDTH * percent / 100)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:5.1f}% {self._shown}/{total}", ending=""
        )
        self.stdout.flush()
