"""API keys in the back office, in a real browser: a staff member issues a key with some scopes and an expiry, sees
its plaintext once, then its scopes and state on its page and in the list; a key the API made shows the same."""

import re

import pytest

from accounts.models import ApiKey
from accounts.services import api_key_authenticate
from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies, log_in  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_key_is_issued_with_scopes_and_an_expiry_and_listed_so(
    live_server,
    page,
    admin_user,
    api,
    owner,
    insecure_cookies,  # noqa: F811
):
    made = api.post("/api/v1/keys", {"name": "Dashboard", "scopes": ["analytics:read", "campaigns:read"]})
    assert made.status_code == 201

    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/accounts/apikey/add/")
    page.select_option("#id_account", str(owner.account.pk))
    page.fill("#id_name", "Importer")
    page.check("input[name=scopes][value='lists:read']")
    page.check("input[name=scopes][value='imports:write']")
    page.fill("#id_expires_at_0", "2099-01-31")
    page.fill("#id_expires_at_1", "12:00:00")
    screenshot(page, "backoffice-api-key-add", full_page=True)
    page.click("input[name=_save]")

    warning = page.inner_text(".messagelist .warning")
    raw = re.search(r"[0-9a-f]{32}", warning).group(0)
    key = api_key_authenticate(raw)
    assert key.scopes == ["lists:read", "imports:write"] and key.expires_at.year == 2099
    assert page.inner_text(".field-scopes_shown .readonly") == "lists:read, imports:write"
    assert page.inner_text(".field-state .readonly").startswith("active until 2099-01-31")
    screenshot(page, "backoffice-api-key")

    page.goto(f"{live_server.url}/admin/accounts/apikey/")

    def row(name: str) -> str:
        return page.locator("#result_list tbody tr", has=page.locator(f"td.field-name:text-is('{name}')")).inner_text()

    assert "campaigns:read, analytics:read" in row("Dashboard")
    assert "lists:read, imports:write" in row("Importer") and "until 2099-01-31" in row("Importer")
    assert "full" in row("test")
    assert raw not in page.content()
    screenshot(page, "backoffice-api-keys")

    # Nothing ticked: full access, as issue_key without --scopes.
    page.goto(f"{live_server.url}/admin/accounts/apikey/add/")
    page.select_option("#id_account", str(owner.account.pk))
    page.fill("#id_name", "Everything")
    page.click("input[name=_save]")
    assert ApiKey.objects.get(name="Everything").scopes == ["full"]
