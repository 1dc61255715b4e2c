from django.core.management.base import CommandError

from api.commands import AuditedCommand, found
from api.problems import ApiProblem
from tasks.selectors import task_find
from tasks.services import task_stop


class Command(AuditedCommand):
    help = (
        "Cancel the task ID (queued, in progress or paused), as POST /accounts/{a}/tasks/{id}/stop does: it "
        "ends canceled after the chunk or batch in flight; what was done stays done."
    )

    def add_arguments(self, parser):
        parser.add_argument("task_id", type=int, help="the task's id (in its URL: /accounts/{a}/tasks/{id})")

    def handle(self, *args, task_id, **options):
        task = found(task_find(task_id=task_id), f"no task {task_id}")
        try:
            task = task_stop(task=task, reason="Canceled by an operator (cancel_task).")
        except ApiProblem as problem:
            raise CommandError(problem.problem_detail) from None
        self.stdout.write(f"task {task.pk} ({task.type}) canceled")
