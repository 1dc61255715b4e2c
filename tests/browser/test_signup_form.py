"""A signup form as a site owner uses it, in a real browser: the back office shows the form's HTML snippet; pasted
into a page served from another origin (a second local HTTP server), a person fills it in, submits, and lands on
the site's thank-you page, subscribed, with a consent record of the form."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from subscribers.models import Consent, Subscriber
from tests.browser.conftest import screenshot
from tests.browser.test_backoffice import insecure_cookies, log_in  # noqa: F401 (a fixture)
from tests.signup.builders import create_form
from tests.subscribers.builders import create_field, create_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<style>body {{ font-family: sans-serif; max-width: 30rem; margin: 3rem auto; }}</style></head>
<body><h1>Our newsletter</h1>
{snippet}
</body></html>
"""
THANKS = (
    '<!doctype html><html><head><meta charset="utf-8"><title>Thanks</title></head>'
    "<body><h1>Thanks for joining!</h1></body></html>"
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def site(tmp_path):
    """Another origin: a plain HTTP server of the files in ``tmp_path`` on its own port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_admin_snippet_posted_from_another_origin_lands_on_the_thank_you_page(
    live_server,
    page,
    admin_user,
    api,
    owner,
    settings,
    site,
    insecure_cookies,  # noqa: F811
):
    settings.PUBLIC_BASE_URL = live_server.url
    folder, origin = site
    news = create_list(api, "News")
    create_field(api, "consent", "boolean", label="I agree to receive the newsletter")
    form = create_form(
        api,
        [news],
        name="Shop footer",
        fields=[{"fieldName": "firstName", "required": True}, {"fieldName": "consent", "required": True}],
        allowedOrigins=[origin],
        thankYouUrl=f"{origin}/thanks.html",
        errorUrl=f"{origin}/oops.html",
    )

    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/signup/signupform/{form['formId']}/change/")
    snippet = page.input_value("textarea[aria-label='HTML snippet']")
    assert snippet.startswith(f'<form action="{live_server.url}/f/{form["formKey"]}" method="post">')
    page.locator("textarea[aria-label='HTML snippet']").scroll_into_view_if_needed()
    screenshot(page, "signup-form-snippet")

    (folder / "index.html").write_text(PAGE.format(snippet=snippet))
    (folder / "thanks.html").write_text(THANKS)
    page.goto(f"{origin}/index.html")
    assert (
        not page.is_visible(f"input[name={form['honeypotField']}]")
        or page.locator(f"input[name={form['honeypotField']}]").bounding_box()["x"] < 0
    )  # off-screen: a person never fills it
    page.fill("input[name=emailAddress]", "ann@example.com")
    page.fill("input[name=firstName]", "Ann")
    page.check("input[name=consent]")
    screenshot(page, "signup-form-on-a-site")
    page.click("button[type=submit]")
    page.wait_for_url(f"{origin}/thanks.html")
    assert page.inner_text("h1") == "Thanks for joining!"

    ann = Subscriber.objects.get(email="ann@example.com")
    assert ann.fields == {"firstName": "Ann", "consent": True}
    assert ann.memberships.filter(list_id=news).exists()
    consent = Consent.objects.get(subscriber=ann)
    assert consent.source == "form" and consent.ip == "127.0.0.1" and "Chrome" in (consent.user_agent or "")
