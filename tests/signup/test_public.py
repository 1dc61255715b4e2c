"""The public endpoint /f/{formKey}: HTML form posts (303 or a page) and JSON (202 or problem+json), the
honeypot, the rate limits, CORS and the Origin check, and the same answer whatever the address's state."""

import pytest
from django.test import Client

from subscribers.models import Consent, Subscriber
from tests.helpers import assert_hypermedia, assert_problem
from tests.signup.builders import SITE, UA, V1, create_form, post_form
from tests.subscribers.builders import create_field, create_list, md5, set_status, subscribed, unsubscribe

VALIDATION = "/errors/400.2-validation-error"


@pytest.fixture
def news(api):
    return create_list(api, "News")


@pytest.fixture
def form(api, news):
    create_field(api, "age", "number")
    return create_form(
        api, [news], fields=[{"fieldName": "firstName", "required": True}, {"fieldName": "age", "required": False}]
    )


def member(email: str) -> Subscriber | None:
    return Subscriber.objects.filter(email_md5=md5(email)).first()


def test_an_html_form_post_subscribes_and_goes_to_the_thank_you_page(form, news):
    response = post_form(form["formKey"], {"emailAddress": "Ann@Example.com", "firstName": "Ann", "age": "41"})
    assert response.status_code == 303 and response["Location"] == f"{SITE}/thanks"
    assert response["Access-Control-Allow-Origin"] == SITE
    ann = member("ann@example.com")
    assert ann.fields == {"firstName": "Ann", "age": 41}
    assert list(ann.memberships.values_list("list_id", flat=True)) == [news]
    consent = Consent.objects.get(subscriber=ann)
    assert (consent.source, consent.ip, consent.user_agent) == ("form", "198.51.100.7", UA)


def test_a_refused_html_post_goes_to_the_error_page_naming_the_field(form):
    response = post_form(form["formKey"], {"emailAddress": "bob@example.com", "firstName": "Bob", "age": "old"})
    assert response.status_code == 303
    assert response["Location"] == f"{SITE}/oops?from=form&error=validation-error&field=age"
    missing = post_form(form["formKey"], {"firstName": "Bob"})
    assert missing["Location"] == f"{SITE}/oops?from=form&error=missing-data&field=emailAddress"
    assert member("bob@example.com") is None


def test_without_urls_an_html_post_gets_small_pages(api, news):
    form = create_form(api, [news], thankYouUrl=None, errorUrl=None, fields=[])
    done = post_form(form["formKey"], {"emailAddress": "cy@example.com"})
    assert done.status_code == 200 and "Thank you for subscribing" in done.content.decode()
    assert done["Content-Type"].startswith("text/html") and "default-src 'none'" in done["Content-Security-Policy"]
    bad = post_form(form["formKey"], {"emailAddress": "not an address"})
    page = bad.content.decode()
    assert bad.status_code == 400 and bad["Content-Type"].startswith("text/html")
    assert "emailAddress" in page and "validation-error" in page


def test_a_json_post_is_answered_in_json(form, news):
    response = post_form(form["formKey"], {"emailAddress": "dee@example.com", "firstName": "Dee"}, as_json=True)
    body = assert_hypermedia(response, 202, "message")
    assert body["message"] == "Thank you for subscribing."
    assert response["Access-Control-Allow-Origin"] == SITE
    assert member("dee@example.com").fields == {"firstName": "Dee"}

    bad = post_form(form["formKey"], {"emailAddress": "eve@example.com", "firstName": "Eve", "age": [1]}, as_json=True)
    assert [e["field"] for e in assert_problem(bad, 400, VALIDATION)["errors"]] == ["age"]
    assert bad["Access-Control-Allow-Origin"] == SITE  # the page's script can read why
    missing = post_form(form["formKey"], {"emailAddress": "eve@example.com"}, as_json=True)
    assert [e["field"] for e in assert_problem(missing, 400, "/errors/400.24-missing-data")["errors"]] == ["firstName"]
    assert_problem(post_form(form["formKey"], ["x"], as_json=True), 400, VALIDATION)
    assert member("eve@example.com") is None


def test_an_unknown_key_is_a_404(form):
    assert_problem(post_form("x" * 22, {"emailAddress": "a@example.com"}, as_json=True), 404)
    assert post_form("nope", {"emailAddress": "a@example.com"}).status_code == 404


def test_a_filled_honeypot_gets_the_same_answer_and_writes_nothing(form):
    data = {"emailAddress": "bot@example.com", "firstName": "Bot", form["honeypotField"]: "http://spam.example"}
    html = post_form(form["formKey"], data)
    assert html.status_code == 303 and html["Location"] == f"{SITE}/thanks"
    assert assert_hypermedia(post_form(form["formKey"], data, as_json=True), 202, "message")
    assert member("bot@example.com") is None and not Consent.objects.exists()


def test_the_rate_limit_per_ip_address(form, settings):
    settings.SIGNUP_POSTS_PER_IP = 3
    data = {"emailAddress": "fay@example.com", "firstName": "Fay"}
    for _ in range(3):
        assert post_form(form["formKey"], data, as_json=True).status_code == 202
    limited = post_form(form["formKey"], data, as_json=True)
    assert_problem(limited, 429, "/errors/429.4-signup-limit")
    assert 0 < int(limited["Retry-After"]) <= 60
    html = post_form(form["formKey"], data)  # an HTML form's browser goes to the site's error page
    assert html["Location"] == f"{SITE}/oops?from=form&error=signup-limit"
    assert post_form(form["formKey"], data, as_json=True, ip="198.51.100.8").status_code == 202  # another address
    # An IPv6 host rotating addresses inside its /64 is one client.
    for suffix in range(1, 4):
        assert post_form(form["formKey"], data, as_json=True, ip=f"2001:db8:1:2::{suffix}").status_code == 202
    assert post_form(form["formKey"], data, as_json=True, ip="2001:db8:1:2::99").status_code == 429


def test_the_rate_limit_per_form(api, form, news, settings):
    settings.SIGNUP_POSTS_PER_FORM = 2
    data = {"emailAddress": "gus@example.com", "firstName": "Gus"}
    for ip in ("203.0.113.1", "203.0.113.2"):
        assert post_form(form["formKey"], data, as_json=True, ip=ip).status_code == 202
    limited = post_form(form["formKey"], data, as_json=True, ip="203.0.113.3")
    assert_problem(limited, 429, "/errors/429.4-signup-limit")
    assert "to this form" in limited.json()["detail"]
    another = create_form(api, [news], name="Another")
    assert post_form(another["formKey"], data, as_json=True, ip="203.0.113.3").status_code == 202


def test_cors_for_the_allowed_origins_only(form):
    key = form["formKey"]
    preflight = Client().options(
        f"/f/{key}",
        HTTP_ORIGIN=SITE,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SITE
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "content-type" in preflight["Access-Control-Allow-Headers"]
    assert "Origin" in preflight["Vary"]

    foreign = Client().options(
        f"/f/{key}", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert foreign.status_code == 204 and "Access-Control-Allow-Origin" not in foreign
    assert "Access-Control-Allow-Methods" not in foreign
    plain = Client().options(f"/f/{key}")
    assert plain.status_code == 204 and plain["Allow"] == "POST, OPTIONS"
    assert (
        Client().options("/f/unknown", HTTP_ORIGIN=SITE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST").status_code == 404
    )

    refused = post_form(
        key, {"emailAddress": "hal@example.com", "firstName": "Hal"}, as_json=True, origin="https://evil.example"
    )
    assert_problem(refused, 403, "/errors/403.3-origin-not-allowed")
    assert "Access-Control-Allow-Origin" not in refused
    html = post_form(key, {"emailAddress": "hal@example.com", "firstName": "Hal"}, origin="null")
    assert html.status_code == 403 and html["Content-Type"].startswith("text/html")
    assert member("hal@example.com") is None
    # No Origin at all (a server-side client): taken, without CORS headers.
    done = post_form(key, {"emailAddress": "hal@example.com", "firstName": "Hal"}, as_json=True, origin=None)
    assert done.status_code == 202 and "Access-Control-Allow-Origin" not in done


def test_the_api_cors_setting_does_not_open_the_forms(form, settings):
    """django-cors-headers' global list is for the API; /f/ answers its own form's origins only."""
    settings.CORS_ALLOWED_ORIGINS = ["https://api-client.example"]
    response = Client().options(
        f"/f/{form['formKey']}", HTTP_ORIGIN="https://api-client.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in response


def _answer(response) -> tuple:
    return response.status_code, response.get("Location"), response.content


def test_the_same_answer_whatever_the_address(api, form, news, other, client_for):
    """New, member, pending, unsubscribed by the user or an admin, hard-bounced, erased: one answer each way,
    and nothing of a known address changes but its lists."""
    subscribed(api, news, "member@example.com", {"firstName": "Real"})
    other_list = create_list(api, "Other")
    subscribed(api, other_list, "elsewhere@example.com", {"firstName": "Kept"})
    subscribed(api, other_list, "gone@example.com")
    unsubscribe(api, md5("gone@example.com"), origin="user")
    subscribed(api, other_list, "admin-off@example.com")
    unsubscribe(api, md5("admin-off@example.com"))
    subscribed(api, other_list, "bounced@example.com")
    set_status(api.owner.account, md5("bounced@example.com"), "hard-bounce")
    subscribed(api, other_list, "erased@example.com")
    assert api.delete(f"/api/v1/contacts/{md5('erased@example.com')}").status_code in (200, 204)
    addresses = [
        "new@example.com",
        "member@example.com",
        "elsewhere@example.com",
        "gone@example.com",
        "admin-off@example.com",
        "bounced@example.com",
        "erased@example.com",
    ]
    html = {_answer(post_form(form["formKey"], {"emailAddress": a, "firstName": "Forged"})) for a in addresses}
    assert len(html) == 1
    json_answers = {
        _answer(post_form(form["formKey"], {"emailAddress": a, "firstName": "Forged"}, as_json=True)) for a in addresses
    }
    assert len(json_answers) == 1

    assert member("new@example.com").fields == {"firstName": "Forged"}
    assert member("member@example.com").fields == {"firstName": "Real"}  # an anonymous post edits nobody
    elsewhere = member("elsewhere@example.com")
    assert elsewhere.fields == {"firstName": "Kept"}
    assert sorted(elsewhere.memberships.values_list("list_id", flat=True)) == sorted([news, other_list])
    for address, status in (
        ("gone@example.com", "unsubscribed-by-user"),
        ("admin-off@example.com", "unsubscribed-by-admin"),
        ("bounced@example.com", "hard-bounce"),
    ):
        left = member(address)
        assert left.status == status and not left.memberships.filter(list_id=news).exists()
    assert member("erased@example.com") is None


def test_a_form_of_a_deleted_list_keeps_its_other_lists(api, form, news):
    other = create_list(api, "Other")
    assert_hypermedia(api.put(f"{V1}/{form['formId']}", {**form, "lists": [news, other]}), 200, "signup-form")
    assert api.delete(f"/accounts/{api.owner.name}/lists/{news}").status_code == 200
    assert api.get(f"{V1}/{form['formId']}").json()["lists"] == [other]
    post_form(form["formKey"], {"emailAddress": "ivy@example.com", "firstName": "Ivy"})
    assert list(member("ivy@example.com").memberships.values_list("list_id", flat=True)) == [other]
