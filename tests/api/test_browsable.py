"""The API in a browser: Accept: text/html gets a page of the JSON with its links clickable; JSON stays the
default; nothing from the data is left unescaped."""

import pytest

from tests.subscribers.builders import Paths, create_list, subscribed

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_the_root_in_a_browser_is_a_page_with_links(anon):
    response = anon.get("/", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert '<a href="/api/docs/">' in page
    assert '<a href="/">/</a>' in page  # the self href
    assert '<a href="/rels/account-home">/rels/account-home</a>' in page
    assert "Content-Security-Policy" in response
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/*"])
def test_json_stays_the_default(anon, accept):
    extra = {"HTTP_ACCEPT": accept} if accept else {}
    response = anon.get("/", **extra)
    assert response["Content-Type"].startswith("application/json")
    response.json()


def test_a_resource_page_links_hrefs_and_rels_and_keeps_the_access_token(api, anon):
    list_id = create_list(api, "Newsletter")
    md5 = subscribed(api, list_id, "john.smith@example.com")
    path = Paths(api.owner).subscriber(md5)
    response = anon.get(f"{path}?access_token={api.owner.key}", HTTP_ACCEPT="text/html")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="{path}?access_token={api.owner.key}">' in page
    assert '<a href="/rels/unsubscribe">/rels/unsubscribe</a>' in page
    assert 'href="https://www.iana.org/assignments/link-relations/link-relations.xhtml">self</a>' in page


def test_a_key_sent_in_a_header_is_never_written_into_the_page(api):
    response = api.get(f"/accounts/{api.owner.name}", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and api.owner.key not in response.content.decode()


def test_templated_links_are_shown_not_followed(api):
    page = api.get(f"/accounts/{api.owner.name}/lists", HTTP_ACCEPT="text/html").content.decode()
    assert "?page={page}" in page.replace("&#x27;", "'") or "{page}" in page
    assert 'href="/accounts/owner@example.com/lists{' not in page


def test_data_is_escaped(api):
    create_list(api, '<script>alert("x")</script>')
    page = api.get(f"/accounts/{api.owner.name}/lists", HTTP_ACCEPT="text/html").content.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_problems_stay_json_in_a_browser(anon):
    response = anon.get("/accounts/owner@example.com/lists", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"


def test_the_v1_surface_is_browsable_too(api):
    response = api.get("/api/v1/contacts", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "<a href=" in response.content.decode()
