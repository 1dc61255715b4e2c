import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.services import account_by_name
from api.problems import ApiProblem
from imports.runner import import_run
from imports.services import import_submit
from imports.sources import EXTENSIONS
from lists.selectors import list_get
from tasks.selectors import task_get_by_id


class Command(BaseCommand):
    help = (
        "Import a CSV, XLS, XLSX or JSON file into a list in the foreground, through the same task "
        "and code path as the API, with a progress bar."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--account", required=True, help="the account name")
        parser.add_argument("--list", required=True, type=int, dest="list_id", help="the list id")

    def handle(self, *args, file, account, list_id, **options):
        path = Path(file)
        fmt = EXTENSIONS.get(path.suffix.lower())
        if fmt is None or fmt == "json":
            raise CommandError(f"{file}: give a .csv, .xls or .xlsx file")
        owner = account_by_name(account)
        if owner is None:
            raise CommandError(f"no account {account}")
        try:
            mailing_list = list_get(account=owner, list_id=list_id)
            task = import_submit(
                account=owner, mailing_list=mailing_list, fmt=fmt, data=path.read_bytes(), enqueue=False
            )
        except ApiProblem as problem:
            raise CommandError(problem.problem_detail) from None
        self.stdout.write(f"task {task.pk}: {task.total} rows")
        import_run(task_id=task.pk, progress=self._bar)
        task = task_get_by_id(task_id=task.pk)
        self._bar(task)
        self.stdout.write("")
        self.stdout.write(
            f"{task.status}: {task.result} ({task.errors_count} errors){' ' + task.reason if task.reason else ''}"
        )
        if task.status != "done":
            raise CommandError(f"the import ended {task.status}")

    def _bar(self, task):
        width = 40
        filled = int(width * task.percent / 100)
        sys.stdout.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {task.percent:5.1f}% {task.processed}/{task.total}"
        )
        sys.stdout.flush()
