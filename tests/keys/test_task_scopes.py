"""A task belongs to its kind's area: an import's to imports, a campaign send's to campaigns, an export's to exports."""

import pytest

from api.scopes import ALL_SCOPES, grants
from tasks.models import Task, TaskStatus
from tasks.services import task_create
from tests.helpers import ApiClient, assert_hypermedia
from tests.keys.builders import key_with

AREAS = {"import": "imports", "campaign-send": "campaigns", "export": "exports"}


@pytest.fixture
def tasks(owner):
    made = {}
    for kind in AREAS:
        task = task_create(account=owner.account, type=kind)
        Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)  # an action then answers 409, changing nothing
        made[kind] = task.pk
    return made


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_each_scope_reaches_the_tasks_of_its_areas(owner, tasks, scope):
    api = ApiClient(key_with(owner, scope))
    home = f"/accounts/{owner.name}/tasks"
    readable = {kind for kind, area in AREAS.items() if grants([scope], f"{area}:read")}
    listed = api.get(home)
    if readable:
        page = assert_hypermedia(listed, 200, "tasks-collection")
        assert {item["taskId"] for item in page["items"]} == {tasks[kind] for kind in readable}
        assert page["itemsCount"] == len(readable)
    else:
        assert listed.status_code == 403 and listed.json()["type"] == "/errors/403.5-missing-scope"
    for kind, task_id in tasks.items():
        area = AREAS[kind]
        for path, level in ((f"{home}/{task_id}", "read"), (f"{home}/{task_id}/errors", "read")):
            response = api.get(path)
            assert (response.status_code == 200) == grants([scope], f"{area}:{level}"), (scope, path, response.json())
        paused = api.post(f"{home}/{task_id}/pause")
        if grants([scope], f"{area}:write"):
            assert paused.status_code == 409, paused.json()  # a done task cannot pause: the scope let it try
        else:
            assert paused.status_code == 403 and paused.json()["type"] == "/errors/403.5-missing-scope"
            required = paused.json()["requiredScopes"]
            # A key that may write in another task area passes the routes' check and meets this task's own.
            some_write = any(grants([scope], f"{other}:write") for other in AREAS.values())
            assert f"{area}:write" in required and (len(required) == 1) == some_write, required
