"""show_task and cancel_task: a task's progress and its stop, through the tasks services."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.subscribers.builders import create_list
from tests.tasks.builders import get_task, new_task


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_show_task_says_status_progress_and_where_the_errors_are(api, owner):
    task_id = new_task(api, create_list(api, "Target"))
    output = run("show_task", str(task_id))
    assert f"task {task_id} (import) of {owner.name}" in output
    assert "queued" in output and "0.0%" in output
    assert f"/accounts/{owner.name}/tasks/{task_id}/errors" in output


def test_cancel_task_stops_it_as_the_api_does(api, owner):
    task_id = new_task(api, create_list(api, "Target"))
    assert "canceled" in run("cancel_task", str(task_id))
    body = get_task(api, task_id)
    assert body["status"] == "canceled" and body["reason"]
    with pytest.raises(CommandError, match="Cannot stop a task that is canceled"):
        call_command("cancel_task", str(task_id), stdout=StringIO())


@pytest.mark.parametrize("command", ["show_task", "cancel_task"])
def test_an_unknown_task_is_one_clear_error(db, command):
    with pytest.raises(CommandError, match="no task 999999"):
        call_command(command, "999999", stdout=StringIO())
