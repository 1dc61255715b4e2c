"""The admin is behind Django's login, and every form post to it needs a CSRF token."""

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.test import Client

from accounts.models import ApiKey
from tests.helpers import assert_problem

PASSWORD = "a-long-admin-password"


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("boss", "boss@example.com", PASSWORD)


def _csrf_token(client: Client, path: str) -> str:
    page = client.get(path).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/accounts/apikey/",
        "/admin/accounts/account/",
        "/admin/campaigns/campaign/",
        "/admin/tasks/task/",
    ],
)
def test_anonymous_admin_pages_redirect_to_the_login(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={path}"


def test_the_login_refuses_a_post_without_its_csrf_token(staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "boss", "password": PASSWORD, "next": "/admin/"})
    assert_problem(response, 403, "/errors/403.2-forbidden")
    assert "_auth_user_id" not in client.session
    # The same credentials with the token from the form log in: the 403 was the missing token.
    token = _csrf_token(client, "/admin/login/")
    response = client.post(
        "/admin/login/", {"username": "boss", "password": PASSWORD, "next": "/admin/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_password_does_not_log_in(staff):
    client = Client(enforce_csrf_checks=True)
    token = _csrf_token(client, "/admin/login/")
    response = client.post("/admin/login/", {"username": "boss", "password": "wrong", "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_logged_in_admin_post_without_a_csrf_token_changes_nothing(staff, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    api_key = ApiKey.objects.get(prefix=owner.key[: ApiKey.PREFIX_LENGTH])
    response = client.post("/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [api_key.pk]})
    assert_problem(response, 403, "/errors/403.2-forbidden")
    response = client.post("/admin/accounts/apikey/add/", {"account": owner.account.pk, "name": "forged"})
    assert_problem(response, 403, "/errors/403.2-forbidden")
    api_key.refresh_from_db()
    assert api_key.revoked_at is None
    assert not ApiKey.objects.filter(name="forged").exists()


def test_a_user_who_is_not_staff_is_refused(db):
    User.objects.create_user("clerk", "clerk@example.com", PASSWORD)
    client = Client()
    client.login(username="clerk", password=PASSWORD)
    response = client.get("/admin/accounts/apikey/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_new_key_is_never_put_in_a_cookie(admin_client, owner):
    response = admin_client.post("/admin/accounts/apikey/add/", {"account": owner.account.pk, "name": "cookie"})
    assert response.status_code == 302
    messages = response.cookies.get("messages")
    if messages is not None and messages.value:
        stored = CookieStorage(HttpRequest())._decode(messages.value) or []
        assert not any(re.search(r"[0-9a-f]{32}", str(m)) for m in stored), stored
    page = admin_client.get(response["Location"]).content.decode()
    raw = re.search(r"New API key for [^:]+: ([0-9a-f]{32})", page).group(1)
    assert all(raw not in cookie.value for cookie in admin_client.cookies.values())
    # Shown once: the next view of the page no longer has it, and the session no longer holds it.
    assert raw not in admin_client.get(response["Location"]).content.decode()
    assert raw not in str(dict(admin_client.session))


def test_sessions_and_messages_are_kept_server_side(settings):
    assert settings.SESSION_ENGINE in ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache")
    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.session.SessionStorage"
