"""``access_token`` is recognised by its decoded name: Django decodes ``access%5Ftoken`` to it and authenticates,
so the logs must redact it in every spelling too."""

import pytest
from django.test import Client

from api.logs import redact
from tests.serving.test_request_log import log_lines, request_lines  # noqa: F401 (fixture)

SPELLINGS = ["access%5Ftoken", "access%5ftoken", "%61ccess_token", "ACCESS_TOKEN", "access_tok%65n"]


@pytest.mark.parametrize("name", SPELLINGS)
def test_an_encoded_parameter_name_is_redacted(name):
    assert redact(f"a=1&{name}=0123abcd&b=2") == f"a=1&{name}=[redacted]&b=2"
    assert "0123abcd" not in redact(f'"GET /accounts/x?{name}=0123abcd HTTP/1.1" 200')


def test_other_parameters_are_kept():
    assert redact("access=1&token=2&access_tokens=3") == "access=1&token=2&access_tokens=3"


def test_a_key_sent_as_access_5f_token_authenticates_and_is_not_logged(owner, log_lines):  # noqa: F811
    response = Client().get(f"/accounts/{owner.name}?access%5Ftoken={owner.key}&x=1")
    assert response.status_code == 200  # Django decodes the name: it is the key
    [line] = request_lines(log_lines)
    assert line["query"] == "access%5Ftoken=[redacted]&x=1"
    for stream in log_lines.values():
        assert owner.key not in stream.getvalue()
