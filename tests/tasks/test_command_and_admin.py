"""The import_subscribers command (foreground import) and the tasks back office."""

import io

import pytest
from django.core.management import CommandError, call_command

from tasks.models import Task
from tests.subscribers.builders import create_list
from tests.tasks.builders import (
    assert_counts_add_up,
    assert_list_counters_exact,
    csv_bytes,
    get_task,
    json_body,
    make_zoo,
    members,
    task_row,
    xlsx_bytes,
)

ROWS = [
    ["email", "firstName"],
    ["a@example.com", "A"],
    ["b@example.com", "B"],
    ["nope", "N"],
    ["A@example.com", "again"],
]


def run_command(owner, list_id, path) -> str:
    out = io.StringIO()
    call_command("import_subscribers", str(path), "--account", owner.name, "--list", str(list_id), stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("suffix, build", [(".csv", csv_bytes), (".xlsx", xlsx_bytes), (".json", json_body)])
def test_command_imports_in_the_foreground(api, owner, tmp_path, suffix, build):
    list_id = create_list(api, "Target")
    path = tmp_path / f"subscribers{suffix}"
    path.write_bytes(build(ROWS))  # JSON: the API's body, {"items": [{"emailAddress", "fields"}]}
    output = run_command(owner, list_id, path)
    task = Task.objects.get()
    assert f"task {task.pk}: 4 rows" in output and "done" in output
    assert "100.0%" in output  # the progress bar
    # Readable, and says where the row errors are.
    assert "new 2, updated 0, alreadyInList 0, duplicatedInFile 1, invalid 1" in output
    assert f"row errors: 1, listed by GET /accounts/{owner.name}/tasks/{task.pk}/errors" in output
    assert task.status == "done" and task.list_id == list_id
    body = get_task(api, task.pk)
    assert body["result"]["new"] == 2 and body["result"]["duplicatedInFile"] == 1 and body["errorsCount"] == 1
    assert_counts_add_up(body)
    assert members(list_id) == {"a@example.com", "b@example.com"}
    assert_list_counters_exact(api, owner.account)


@pytest.mark.parametrize(
    "name, data",
    [
        ("latin1.csv", "email,firstName\r\njosé@example.com,José\r\n".encode("latin-1")),
        ("no-email.csv", b"mail,firstName\r\na@example.com,A\r\n"),
        ("liar.xlsx", b"email\r\na@example.com\r\n"),
        ("subscribers.txt", b"email\r\na@example.com\r\n"),
        ("not.json", b"email\r\na@example.com\r\n"),
        ("no-items.json", b'{"rows": []}'),
    ],
)
def test_command_refuses_a_bad_file(api, owner, tmp_path, name, data):
    list_id = create_list(api, "Target")
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError):
        run_command(owner, list_id, path)
    assert Task.objects.count() == 0 and members(list_id) == set()


def test_command_says_a_missing_file_in_one_line(api, owner, tmp_path):
    list_id = create_list(api, "Target")
    with pytest.raises(CommandError, match=r"missing\.csv: No such file or directory"):
        run_command(owner, list_id, tmp_path / "missing.csv")


def test_command_help_says_json_is_the_api_body(capsys):
    with pytest.raises(SystemExit):
        call_command("import_subscribers", "--help")
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert ".json" in text and '{"items": [{"emailAddress": "…", "fields": [' in text


def test_command_progress_moves_within_a_chunk(api, owner, tmp_path, settings):
    settings.IMPORT_CHUNK_SIZE = 20000
    list_id = create_list(api, "Target")
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes([["email"], *[[f"user{i}@example.com"] for i in range(2500)]]))
    output = run_command(owner, list_id, path)
    # One chunk holds every row, yet the bar moved while they were read.
    assert "1000/2500" in output and "2000/2500" in output and "2500/2500" in output


def test_command_refuses_an_unknown_account_or_list(api, owner, tmp_path):
    list_id = create_list(api, "Target")
    path = tmp_path / "ok.csv"
    path.write_bytes(csv_bytes(ROWS))
    with pytest.raises(CommandError):
        call_command("import_subscribers", str(path), "--account", "nobody@example.com", "--list", str(list_id))
    with pytest.raises(CommandError):
        call_command("import_subscribers", str(path), "--account", owner.name, "--list", str(list_id + 100))
    assert Task.objects.count() == 0


# --- Admin ---------------------------------------------------------------------------------------


def shown(response) -> list[int]:
    assert response.status_code == 200
    return sorted(task.pk for task in response.context["cl"].result_list)


def test_tasks_pages_render(admin_client, api, queues, settings):
    ids = make_zoo(api, settings)
    assert shown(admin_client.get("/admin/tasks/task/")) == sorted(ids.values())
    assert shown(admin_client.get("/admin/tasks/task/", {"status__exact": "paused"})) == [ids["paused"]]
    assert shown(admin_client.get("/admin/tasks/task/", {"q": str(ids["done"])})) == [ids["done"]]
    for task_id in ids.values():
        response = admin_client.get(f"/admin/tasks/task/{task_id}/change/")
        assert response.status_code == 200
        assert "<progress" in response.content.decode()
    assert admin_client.get("/admin/tasks/task/add/").status_code == 403


def test_change_page_shows_the_first_errors(admin_client, api, owner, tmp_path):
    list_id = create_list(api, "Target")
    path = tmp_path / "errors.csv"
    path.write_bytes(csv_bytes(ROWS))
    run_command(owner, list_id, path)
    task = Task.objects.get()
    page = admin_client.get(f"/admin/tasks/task/{task.pk}/change/").content.decode()
    assert "row 4" in page and f"/admin/tasks/task/{task.pk}/errors.csv" in page
    report = admin_client.get(f"/admin/tasks/task/{task.pk}/errors.csv")  # the admin's session is enough
    assert report.status_code == 200 and b"".join(report.streaming_content).startswith(b"row,emailAddress,problem")


def act(admin_client, name, ids):
    return admin_client.post(
        "/admin/tasks/task/", {"action": name, "_selected_action": [str(i) for i in ids]}, follow=True
    )


def test_admin_actions_pause_resume_and_stop(admin_client, api, queues, settings):
    ids = make_zoo(api, settings)
    response = act(admin_client, "pause", [ids["queued"], ids["in-progress"], ids["done"]])
    assert response.status_code == 200
    text = response.content.decode()
    assert "Paused 2 task(s)" in text and "Cannot pause a task that is done" in text
    assert [task_row(ids[k]).status for k in ("queued", "in-progress", "done")] == ["paused", "paused", "done"]

    response = act(admin_client, "resume", [ids["paused"], ids["error"], ids["canceled"]])
    assert "Queued 2 task(s)" in response.content.decode()
    assert [task_row(ids[k]).status for k in ("paused", "error", "canceled")] == ["queued", "queued", "canceled"]

    response = act(admin_client, "stop", [ids["queued"], ids["paused"], ids["done"]])
    assert "Stopped 2 task(s)" in response.content.decode()
    assert [task_row(ids[k]).status for k in ("queued", "paused", "done")] == ["canceled", "canceled", "done"]
    assert task_row(ids["queued"]).reason
