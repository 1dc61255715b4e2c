"""An export from the back office, in a real browser: the subscribers' page's "Export" action asks what and in
which format, queues the API's task, and the task's page links the file once the worker is done."""

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies, log_in  # noqa: F401 (a fixture)
from tests.exports.builders import as_dicts, read_rows
from tests.subscribers.builders import create_list, subscribed
from tests.tasks.builders import empty_queues, run_jobs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_export_action_queues_a_task_whose_page_links_the_file(
    live_server,
    page,
    admin_user,
    api,
    owner,
    insecure_cookies,  # noqa: F811
):
    empty_queues()
    news = create_list(api, "News")
    create_list(api, "Other")
    for name in ("ann", "bob"):
        subscribed(api, news, f"{name}@example.com", fields={"firstName": f"=={name}"})

    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/subscribers/subscriber/")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "export_subscribers")
    page.click("button[name=index]")
    page.wait_for_selector("text=Export subscribers")
    page.select_option("#id_format", "xlsx")
    page.select_option("#id_list_id", str(news))
    screenshot(page, "backoffice-export-form")
    page.click("input[value=Export]")
    page.wait_for_selector(".field-works_on")
    assert "/admin/tasks/task/" in page.url

    run_jobs()
    page.reload()
    link = page.locator(".field-works_on a")
    assert "download" in link.inner_text() and "XLSX, 2 rows" in link.inner_text()
    screenshot(page, "backoffice-export-task")
    with page.expect_download() as download:
        link.click()
    records = as_dicts(read_rows(download.value.path().read_bytes(), "xlsx"))
    assert [(r["emailAddress"], r["firstName"]) for r in records] == [
        ("ann@example.com", "'==ann"),
        ("bob@example.com", "'==bob"),
    ]
    empty_queues()
