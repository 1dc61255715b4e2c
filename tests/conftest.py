import pytest

from tests.factories import make_account
from tests.helpers import ApiClient


def pytest_configure(config):
    """Passwords hashed with MD5 in the tests (the tests' users log in; PBKDF2's many rounds are there for stolen
    hashes, not for a test database). This process only: config/settings.py keeps Django's hashers."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner(db):
    """An account with a key: the one making requests."""
    return make_account("owner@example.com")


@pytest.fixture
def other(db):
    """Another account, for isolation tests."""
    return make_account("other@example.org")


@pytest.fixture
def client_for():
    def build(account_with_key):
        return ApiClient(account_with_key)

    return build


@pytest.fixture
def api(owner):
    return ApiClient(owner)


@pytest.fixture
def anon():
    return ApiClient(None)


@pytest.fixture(autouse=True)
def _invalidations_not_left_pending(monkeypatch):
    """A test runs in a transaction that never commits, so an invalidation would stay pending (caching off) to
    its end: here it expires at once. tests/security/test_revocation.py tests the pending marks themselves."""
    from api import epoch_cache

    monkeypatch.setattr(epoch_cache, "PENDING_SECONDS", 0)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from api import epoch_cache

    cache.clear()
    for process_cache in epoch_cache._caches:  # keys and field types cached by an earlier test
        process_cache.clear()


@pytest.fixture(autouse=True)
def _message_tally_exact(request):
    """After every test that used the database, the messages' tally (campaigns/tally.py) holds exactly what
    ``COUNT(*)`` counts of the messages, per account, status and campaign: every path of every test that moves a
    message (sending, recording, crashes and retries, provider events, bounces, single emails, A/B tests,
    deletes) checks it. The same for the lists' member counts and the subscribers' created days (subscribers/
    tally.py): every path that writes subscribers or memberships (the API, the admin, imports, erasure, deletes).
    ``tests/campaigns/test_tally.py`` and ``tests/subscribers/test_contact_counts.py`` add the concurrent and
    deleting cases."""
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so torn down after this check
    yield
    from tests.helpers import contact_counts_mismatches, tally_mismatches

    assert tally_mismatches() == {}, "the messages' tally differs from COUNT(*)"
    assert contact_counts_mismatches() == {}, "the lists' member counts or the created days differ from COUNT(*)"
