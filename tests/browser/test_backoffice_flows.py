"""A marketer's day in the back office, in a real browser: create a list, upload an import and watch it finish,
find a subscriber by part of the address, edit its typed fields (a wrong type is refused in the API's words)."""

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies, log_in  # noqa: F401 (a fixture)
from tests.subscribers.builders import create_field, get_subscriber, md5
from tests.tasks.builders import queues, run_jobs  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROWS = "email,firstName,income\nann@example.com,Ann,52000\njane.doe@example.com,Jane,61000\nnot-an-address,X,1\n"


def test_create_a_list_import_into_it_find_and_edit_a_subscriber(
    live_server,
    page,
    admin_user,
    api,
    insecure_cookies,  # noqa: F811
    queues,  # noqa: F811
    tmp_path,
):
    create_field(api, "income", "number")
    log_in(page, live_server.url)

    page.goto(f"{live_server.url}/admin/lists/mailinglist/add/")
    page.select_option("#id_account", str(api.owner.account.pk))
    page.fill("#id_name", "Customers")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    upload = tmp_path / "customers.csv"
    upload.write_text(ROWS)
    page.goto(f"{live_server.url}/admin/imports/importtask/add/")
    page.select_option("#id_mailing_list", label=f"{api.owner.account.name} · Customers")
    page.set_input_files("#id_file", str(upload))
    page.click("input[name=_save]")
    page.wait_for_selector(".field-columns")
    assert "field income" in page.inner_text(".field-columns")
    assert "jane.doe@example.com" in page.inner_text(".field-first_rows")
    run_jobs("imports", "default")  # the worker
    page.reload()
    page.wait_for_function("document.querySelector('.field-status').innerText.includes('Done')")
    assert "1 rows refused" in page.inner_text(".field-errors")
    screenshot(page, "backoffice-import")

    page.goto(f"{live_server.url}/admin/subscribers/subscriber/?q=doe")
    assert page.locator("#result_list tbody tr").count() == 1
    page.click("#result_list tbody tr th a")
    page.fill("#id_field_country", "ZZ")  # not a country: refused by the API's rule, on the form
    page.click("input[name=_save]")
    assert "country value" in page.inner_text(".errorlist")
    page.fill("#id_field_country", "fr")
    page.fill("#id_field_income", "65000")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    values = {e["fieldName"]: e["value"] for e in get_subscriber(api, md5("jane.doe@example.com"))["fields"]}
    assert values["income"] == 65000 and values["firstName"] == "Jane" and values["country"] == "FR"
    page.goto(f"{live_server.url}/admin/subscribers/subscriber/?q=doe")
    page.click("#result_list tbody tr th a")
    screenshot(page, "backoffice-subscriber")
