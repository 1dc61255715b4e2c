"""/api/docs/ in a real browser: Swagger UI renders the operations of the OpenAPI schema with nothing fetched
from outside the server (its files come from drf-spectacular-sidecar), and its Content-Security-Policy, which
allows nothing external, blocks nothing it needs."""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_works_offline_and_lists_the_operations(live_server, page):
    requested, violations = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    response = page.goto(f"{live_server.url}/api/docs/")
    assert response.status == 200
    assert "cdn" not in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=60_000)  # the schema rendered on a busy machine
    screenshot(page, "api-docs")
    summaries = _summaries_after_scrolling_through(page)
    assert len(summaries) > 90, summaries  # every path (of ~100), not only those on the first screen
    assert any(path.startswith("/api/v1/contacts") for path in summaries), summaries
    assert any("/accounts/{account_name}/lists" in path for path in summaries), summaries
    page.mouse.wheel(0, -1_000_000)
    send = page.locator(".opblock-summary", has_text="/api/v1/emails/send")
    for _ in range(len(summaries)):  # scrolled to, as a reader would
        if send.count():
            break
        page.mouse.wheel(0, 800)
        page.wait_for_timeout(200)
    send.first.click()  # an operation opens
    page.wait_for_selector(".opblock-body", timeout=5_000)
    server = urlsplit(live_server.url).netloc
    assert {urlsplit(url).netloc for url in requested if url.startswith("http")} == {server}, requested
    assert violations == []


def _summaries_after_scrolling_through(page) -> list[str]:
    """The operations' paths seen while scrolling through the whole page: with a large schema, Swagger UI renders
    only the operations near the viewport, so the page is read a screen at a time down to its bottom."""
    seen: dict[str, None] = {}
    for _ in range(1_000):
        page.wait_for_timeout(200)
        for text in page.locator(".opblock-summary-path").all_inner_texts():
            seen.setdefault(text.replace("\u200b", ""), None)
        if page.evaluate("window.scrollY + window.innerHeight >= document.body.scrollHeight - 2"):
            break
        page.mouse.wheel(0, 800)
    return list(seen)
