"""A marketer's day in the back office, in a real browser: create a list, upload an import, check its preview,
start it and watch it finish (or see why it cannot be imported),
find a subscriber by part of the address, edit its typed fields (a wrong type is refused in the API's words)."""

import pytest

from imports.models import ImportTask, StagedImport
from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies, log_in  # noqa: F401 (a fixture)
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.subscribers.builders import create_field, create_list, get_subscriber, md5, subscribed
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
    page.wait_for_selector("table.import-rows")  # the preview: nothing is queued yet
    mapping = page.locator(".import-mapping td").all_inner_texts()
    assert mapping[:3] == ["the email address", "field firstName (string)", "field income (number)"], mapping
    assert "3 rows to import" in page.inner_text(".import-total")
    assert page.locator("table.import-rows tbody tr").count() == 3
    assert "refused: emailAddress" in page.inner_text("tr.import-row-refused")
    assert not ImportTask.objects.exists()
    screenshot(page, "backoffice-import-preview")
    page.click("input[name=start]")
    page.wait_for_selector(".field-columns")
    assert "field income" in page.inner_text(".field-columns")
    assert "jane.doe@example.com" in page.inner_text(".field-first_rows")
    run_jobs("imports", "default")  # the worker
    page.reload()
    page.wait_for_function("document.querySelector('.field-status').innerText.includes('Done')")
    assert "1 rows refused" in page.inner_text(".field-errors")
    screenshot(page, "backoffice-import")

    page.goto(f"{live_server.url}/admin/subscribers/subscriber/?q=jane.d")
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
    page.goto(f"{live_server.url}/admin/subscribers/subscriber/?q=*doe")
    page.click("#result_list tbody tr th a")
    page.wait_for_selector("#id_field_country")  # the subscriber's page, not the list it leaves (a blank shot)
    screenshot(page, "backoffice-subscriber")


def test_an_upload_with_a_column_the_api_refuses_shows_the_problem_before_anything_is_queued(
    live_server,
    page,
    admin_user,
    api,
    insecure_cookies,  # noqa: F811
    tmp_path,
):
    create_list(api, "Customers")
    log_in(page, live_server.url)
    upload = tmp_path / "shoes.csv"
    upload.write_text("email,firstName,shoeSize\nann@example.com,Ann,38\n")
    page.goto(f"{live_server.url}/admin/imports/importtask/add/")
    page.select_option("#id_mailing_list", label=f"{api.owner.account.name} · Customers")
    page.set_input_files("#id_file", str(upload))
    page.click("input[name=_save]")
    page.wait_for_selector(".import-problems")
    problem = "Column 'shoeSize' is not a field of the account; create the field first or remove the column."
    assert problem in page.inner_text(".import-problems")
    assert page.inner_text(".import-mapping .import-refused") == problem
    assert "ann@example.com" in page.inner_text("table.import-rows tbody")
    assert page.locator("input[name=start]").count() == 0  # no way to start it
    screenshot(page, "backoffice-import-preview-refused")
    page.click("input[name=cancel]")
    page.wait_for_selector(".messagelist")
    assert "nothing was imported" in page.inner_text(".messagelist")
    assert not ImportTask.objects.exists() and not StagedImport.objects.exists()


def test_write_a_campaign_start_it_and_watch_its_rates(
    live_server,
    page,
    admin_user,
    api,
    insecure_cookies,  # noqa: F811
    queues,  # noqa: F811
    smtp_server,  # noqa: F811
):
    news = create_list(api, "News")
    for i in range(3):
        subscribed(api, news, f"r{i}@example.com", fields={"firstName": f"R{i}"})
    log_in(page, live_server.url)

    page.goto(f"{live_server.url}/admin/campaigns/campaign/add/")
    page.select_option("#id_account", str(api.owner.account.pk))
    page.fill("#id_name", "Winter")
    page.fill("#id_subject", "Hello {{ firstName | friend }}")
    page.fill("#id_from_email", "news@shop.example.com")
    page.fill("#id_html", "<p>Hi {{ firstName | friend }}</p>")
    page.select_option("#id_lists", label="News")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    page.locator("#result_list tbody tr", has_text="Winter").locator("input.action-select").check()
    page.select_option("select[name=action]", "start")
    page.click("button[name=index]")
    assert "Started 1 campaign(s)." in page.inner_text(".messagelist")
    page.click("#result_list tbody tr th a")
    status = page.inner_text(".field-status")
    assert page.locator('meta[http-equiv="refresh"]').count() == 1, status  # sending: it refreshes itself
    run_jobs("sending", "default")  # the senders
    page.reload()
    assert "3 of 3 (100.0 %)" in page.inner_text(".field-progress")
    assert "delivered\t3\t100.0 %" in page.inner_text(".campaign-rates")
    assert page.frame_locator("iframe.campaign-preview").locator("p").inner_text() == "Hi R0"
    assert sorted(smtp_server.per_recipient()) == ["r0@example.com", "r1@example.com", "r2@example.com"]


def test_index_a_field_from_its_page_and_see_its_index_built(
    live_server,
    page,
    admin_user,
    api,
    insecure_cookies,  # noqa: F811
    queues,  # noqa: F811
):
    """A marketer who filters contacts by a field ticks "indexed" on its page; the job builds the index, and the
    fields' list says it is ready."""
    create_field(api, "city", "string")
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/fields/field/?q=city")
    page.click("#result_list tbody tr th a")
    page.check("#id_indexed")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    run_jobs("default")  # the job that builds the index
    page.goto(f"{live_server.url}/admin/fields/field/?q=city")
    row = page.inner_text("#result_list tbody tr")
    assert "ready" in row.lower(), row
    screenshot(page, "backoffice-field-indexed")
