"""Back-office roles in a real browser: a viewer, an editor and an owner of one account each log in and find only
that account, each with what the role allows: the viewer reads, the editor changes lists, the owner also gives
roles. Another account's rows appear nowhere."""

import pytest

from lists.models import MailingList
from staff.models import StaffRole
from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies  # noqa: F401 (a fixture)
from tests.staff.builders import PASSWORD, populate, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def accounts(api, client_for, owner, other):
    return populate(api, "mine"), populate(client_for(other), "theirs")


def log_in_as(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#dashboard")


def _linked(page) -> set[str]:
    """The admin pages the index links to (the models the user may see)."""
    return set(page.eval_on_selector_all("#content-main a", "links => links.map(a => a.getAttribute('href'))"))


KEYS, ROLES, LISTS = "/admin/accounts/apikey/", "/admin/staff/staffrole/", "/admin/lists/mailinglist/"


def test_a_viewer_reads_their_account_only_and_changes_nothing(
    live_server,
    page,
    owner,
    other,
    accounts,
    insecure_cookies,  # noqa: F811
):
    mine, theirs = accounts
    staff_user("vera", [(owner.account, "viewer")])
    log_in_as(page, live_server.url, "vera")
    options = page.locator("#dashboard-account option").all_inner_texts()
    assert options == ["owner@example.com"], options
    index = _linked(page)
    assert LISTS in index and KEYS not in index and ROLES not in index, index
    assert f"{LISTS}add/" not in index
    assert "other@example.org" not in page.content()
    screenshot(page, "backoffice-roles-viewer-dashboard")

    page.goto(f"{live_server.url}/admin/lists/mailinglist/")
    rows = page.inner_text("#result_list")
    assert "mine list" in rows and "theirs list" not in rows
    assert page.locator("a.addlink").count() == 0  # no "Add"
    page.goto(f"{live_server.url}/admin/lists/mailinglist/{mine['list']}/change/")
    assert page.locator("input[name=_save]").count() == 0  # read-only: no Save
    assert "mine list" in page.inner_text("#content")
    screenshot(page, "backoffice-roles-viewer-list")

    answer = page.goto(f"{live_server.url}/admin/lists/mailinglist/{theirs['list']}/change/")
    assert answer.status == 404
    answer = page.goto(f"{live_server.url}/admin/subscribers/subscriber/?q=theirs-jane@example.com")
    assert "theirs-jane" not in page.inner_text("#content")


def test_an_editor_changes_a_list_but_cannot_reach_keys_or_roles(
    live_server,
    page,
    owner,
    accounts,
    insecure_cookies,  # noqa: F811
):
    mine, _ = accounts
    staff_user("eddie", [(owner.account, "editor")])
    log_in_as(page, live_server.url, "eddie")
    page.goto(f"{live_server.url}/admin/lists/mailinglist/{mine['list']}/change/")
    page.fill("#id_name", "Weekly digest")
    screenshot(page, "backoffice-roles-editor-list")
    page.click("input[name=_save]")
    assert "changed successfully" in page.inner_text(".messagelist")
    assert MailingList.objects.get(pk=mine["list"]).name == "Weekly digest"

    page.goto(f"{live_server.url}/admin/lists/mailinglist/add/")
    assert page.locator("#id_account option").all_inner_texts() == ["---------", "owner@example.com"]
    assert page.goto(f"{live_server.url}/admin/accounts/apikey/").status == 403
    assert page.goto(f"{live_server.url}/admin/staff/staffrole/").status == 403


def test_an_owner_gives_a_role_on_their_account_only(
    live_server,
    page,
    owner,
    accounts,
    insecure_cookies,  # noqa: F811
):
    staff_user("olga", [(owner.account, "owner")])
    newcomer = staff_user("nina")
    log_in_as(page, live_server.url, "olga")
    assert {ROLES, KEYS, f"{ROLES}add/"} <= _linked(page)
    page.goto(f"{live_server.url}/admin/accounts/apikey/")
    assert "other@example.org" not in page.inner_text("#result_list")

    page.goto(f"{live_server.url}/admin/staff/staffrole/add/")
    assert page.locator("#id_account option").all_inner_texts() == ["---------", "owner@example.com"]
    page.select_option("#id_user", label="nina")
    page.select_option("#id_account", label="owner@example.com")
    page.select_option("#id_role", "editor")
    screenshot(page, "backoffice-roles-owner-grant")
    page.click("input[name=_save]")
    assert "was added successfully" in page.inner_text(".messagelist")
    assert StaffRole.objects.get(user=newcomer, account=owner.account).role == "editor"
    rows = page.inner_text("#result_list")
    assert "nina" in rows and "olga" in rows and "their-owner" not in rows
    screenshot(page, "backoffice-roles")
