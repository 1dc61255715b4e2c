"""The API asked for HTML by a browser: a page that shows the JSON with every href a link to follow and every
rel a link to its documentation; following links walks the account. JSON stays what every other client gets."""

import pytest

from tests.browser.conftest import screenshot
from tests.subscribers.builders import create_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_browses_the_api_by_following_its_links(live_server, page, api, owner):
    create_list(api, "News")
    token = owner.key
    response = page.goto(f"{live_server.url}/accounts/{owner.account.name}?access_token={token}")
    assert response.status == 200 and response.headers["content-type"].startswith("text/html")
    page.wait_for_selector("a")
    assert page.locator('a[href*="/rels/"]').count() > 0  # each rel links to its documentation
    assert page.locator('a[href="/api/docs/"]').count() == 1
    screenshot(page, "api-browsable")
    page.locator("a", has_text="/lists").first.click()
    page.wait_for_selector("text=News")
    assert "subcribersQuantity" in page.inner_text("body") or "subscribersQuantity" in page.inner_text("body")
