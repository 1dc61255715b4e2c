from django.core.management.base import BaseCommand

from api.commands import found
from tasks.representations import task_summary
from tasks.selectors import task_find


class Command(BaseCommand):
    help = (
        "Show the task ID (an import, a campaign send…) of any account: status, progress, result, reason "
        "and where its row errors are listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("task_id", type=int, help="the task's id (in its URL: /accounts/{a}/tasks/{id})")

    def handle(self, *args, task_id, **options):
        task = found(task_find(task_id=task_id), f"no task {task_id}")
        for line in task_summary(task):
            self.stdout.write(line)
