"""The /api/v1 surface as a whole: the version in the path, the per-key rate limit, the key's account."""

import pytest
from django.test import override_settings

from tests.helpers import assert_problem

V1_READS = ["/api/v1/campaigns", "/api/v1/contacts", "/api/v1/analytics/emails"]


@pytest.mark.parametrize("path", ["/api/v2/campaigns", "/api/v1/nothing-here", "/api/campaigns", "/api/v1"])
def test_an_unknown_version_or_path_is_a_404_problem(api, path):
    assert_problem(api.get(path), 404, "/errors/404.1-not-found", 1)


@pytest.mark.parametrize("path", V1_READS)
def test_the_rate_limit_applies_per_key_with_retry_after(api, other, client_for, path):
    with override_settings(API_RATE_LIMIT_PER_MINUTE=2):
        for _ in range(2):
            assert api.get(path).status_code == 200
        response = api.get(path)
        assert_problem(response, 429, "/errors/429.1-too-many-requests", 1)
        assert int(response["Retry-After"]) >= 1
        assert client_for(other).get(path).status_code == 200  # another key has its own budget


@pytest.mark.parametrize("path", V1_READS)
def test_a_key_is_required(anon, path):
    assert_problem(anon.get(path), 401, "/errors/401.2-missing-token", 2)
