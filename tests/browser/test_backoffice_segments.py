"""A segment in the back office, in a real browser: a staff member writes a condition tree as JSON, sees the
API's errors by path when it is wrong, and the count and the first matching subscribers when it is right."""

import json

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies, log_in  # noqa: F401 (a fixture)
from tests.subscribers.builders import create_field, create_list, subscribed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_segment_is_written_as_json_and_shows_what_it_matches(
    live_server,
    page,
    admin_user,
    api,
    owner,
    insecure_cookies,  # noqa: F811
):
    create_field(api, "city", "string")
    news = create_list(api, "News")
    for name, city in (("ann", "Rosario"), ("bob", "Rosario"), ("cid", "Lima")):
        subscribed(api, news, f"{name}@example.com", fields={"city": city})

    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/segments/segment/add/")
    page.select_option("#id_account", str(owner.account.pk))
    page.fill("#id_name", "Rosarinos")
    page.fill("#id_conditions", json.dumps([{"kind": "field", "field": "city", "operator": "greaterThan", "value": 1}]))
    page.click("input[name=_continue]")
    assert "conditions[0]: operator for the string field 'city' must be one of" in page.inner_text(".errorlist")

    conditions = [{"kind": "field", "field": "city", "operator": "equals", "value": "rosario"}]
    page.fill("#id_conditions", json.dumps(conditions, indent=2))
    page.click("input[name=_continue]")
    page.wait_for_selector(".field-matches")
    assert "2 subscribers, 2 of them active" in page.inner_text(".field-matches")
    first = page.inner_text(".field-first_matches")
    assert "ann@example.com" in first and "bob@example.com" in first and "cid@example.com" not in first
    screenshot(page, "backoffice-segment")
