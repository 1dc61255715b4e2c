"""Pages tested as a person uses them: Playwright drives the machine's Chromium (Debian's package; bin/ensure-browser
installs it) against Django's live server. Screenshots go to var/screenshots/ (docs/screenshots/ keeps the ones
the README shows)."""

import shutil
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def browser(monkeypatch):
    """Chromium, for one test: Playwright's event loop runs in this thread while it lives, which Django's ORM takes
    for an async context, so the test's own ORM calls are allowed meanwhile (the deployment checks refuse the
    variable, so it is set for the test only), and it is gone before the test's database is cleaned.

    While Playwright's loop runs, Django keeps this thread's connections apart (asgiref's Local: per context in a
    thread with a running loop), so the ones opened meanwhile are closed before it stops: left open, they would
    hold the test database when it is dropped."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: run bin/ensure-browser (apt-get install chromium)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server answers each request in a new thread: its connection must close with the request, or it
    # outlives the thread and holds the test database open.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield chromium
        chromium.close()
        connections.close_all()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """The page's viewport (or the whole page, ``full_page``) as var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
