"""Security headers: nosniff everywhere, HSTS on HTTPS only, a CSP on HTML pages that their own
scripts and styles satisfy (the admin and Swagger UI keep working under it)."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

HSTS = "Strict-Transport-Security"


def test_json_and_problem_answers_are_nosniff(owner, settings):
    assert Client().get("/")["X-Content-Type-Options"] == "nosniff"
    assert Client().get("/nowhere")["X-Content-Type-Options"] == "nosniff"
    settings.MAX_REQUEST_BODY_BYTES = 1024  # the 413 comes from a middleware, before any view
    too_big = Client().post(f"/accounts/{owner.name}/lists", data="x" * 2048, content_type="application/json")
    assert too_big.status_code == 413 and too_big["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_over_https(db):
    assert HSTS not in Client().get("/")
    assert Client().get("/", secure=True)[HSTS] == "max-age=31536000"


def test_hsts_behind_a_tls_proxy_when_trusted(db, settings):
    assert HSTS not in Client().get("/", HTTP_X_FORWARDED_PROTO="https")  # not trusted by default
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert HSTS in Client().get("/", HTTP_X_FORWARDED_PROTO="https")


class _Assets(HTMLParser):
    """The scripts, stylesheets and inline code of a page."""

    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.inline_scripts, self.handlers = [], [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if tag == "script":
            if attrs.get("src"):
                self.scripts.append(attrs["src"])
            elif attrs.get("type", "text/javascript") in ("text/javascript", "module"):
                self._in_script = True
        elif tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
            self.styles.append(attrs["href"])

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data.strip())

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def _allowed(url: str, sources: list[str], page: str) -> bool:
    absolute = urlparse(urljoin("http://testserver" + page, url))
    if absolute.netloc == "testserver":
        return "'self'" in sources
    return any(f"{absolute.scheme}://{absolute.netloc}".startswith(source) for source in sources)


def assert_page_works_under_its_csp(client: Client, path: str) -> _Assets:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response["Content-Type"].startswith("text/html")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = _directives(response["Content-Security-Policy"])
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assets = _Assets()
    assets.feed(response.content.decode())
    script_src = policy.get("script-src", policy["default-src"])
    style_src = policy.get("style-src", policy["default-src"])
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert not assets.inline_scripts, (path, assets.inline_scripts[:1])  # would be blocked
    assert not assets.handlers, (path, assets.handlers)  # onclick=… would be blocked
    for src in assets.scripts:
        assert _allowed(src, script_src, path), (path, src)
        if urlparse(src).netloc == "":  # our own scripts are served, as JavaScript
            script = client.get(urljoin(path, src))
            assert script.status_code == 200, src
            assert "javascript" in script["Content-Type"], (src, script["Content-Type"])
    for href in assets.styles:
        assert _allowed(href, style_src, path), (path, href)
    return assets


def test_documentation_pages_have_a_strict_csp(db):
    assets = assert_page_works_under_its_csp(Client(), "/rels")
    assert assets.scripts == []


def test_swagger_ui_works_under_its_csp(db):
    client = Client()
    assets = assert_page_works_under_its_csp(client, "/api/docs/")
    assert any("swagger-ui-bundle" in src for src in assets.scripts)
    policy = _directives(client.get("/api/docs/")["Content-Security-Policy"])
    assert "'self'" in policy["connect-src"]  # it fetches /api/schema/ from here


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "a-long-password")
    client = Client()
    client.force_login(user)
    return client


def test_admin_login_works_under_the_csp(db):
    assets = assert_page_works_under_its_csp(Client(), "/admin/login/")
    assert all(urlparse(src).netloc == "" for src in assets.scripts)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/accounts/account/",
        "/admin/accounts/account/add/",
        "/admin/subscribers/subscriber/",
        "/admin/campaigns/campaign/",
        "/admin/tasks/task/",
    ],
)
def test_admin_pages_work_under_the_csp(admin_client, path):
    assets = assert_page_works_under_its_csp(admin_client, path)
    assert assets.scripts or path == "/admin/"


def test_a_page_with_its_own_csp_keeps_it(db):
    # The unsubscribe page sets a stricter policy (no script at all) that the middleware leaves alone.
    response = Client().get("/u/not-a-token")
    assert response["Content-Type"].startswith("text/html")
    assert _directives(response["Content-Security-Policy"])["default-src"] == ["'none'"]
