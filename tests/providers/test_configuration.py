"""EMAIL_PROVIDER and the ANYMAIL_* variables: read at start-up, a provider without its credentials refused there."""

import pytest

from config.providers import env_anymail
from tests.test_configuration import boot


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"EMAIL_PROVIDER": "pigeon"}, "EMAIL_PROVIDER"),
        ({"EMAIL_PROVIDER": "postmark"}, "ANYMAIL_POSTMARK_SERVER_TOKEN"),
        ({"EMAIL_PROVIDER": "mailjet", "ANYMAIL_MAILJET_API_KEY": "k"}, "ANYMAIL_MAILJET_SECRET_KEY"),
        ({"EMAIL_PROVIDER": "amazon_ses"}, "boto3"),  # not installed here: anymail needs it to send through SES
        ({"EMAIL_PROVIDER": "test", "EMAIL_HOST": "smtp.example.com"}, "EMAIL_HOST"),
        ({"EMAIL_PROVIDER": "test", "EMAIL_TRANSPORTS": "smtp://relay.example.com"}, "EMAIL_TRANSPORTS"),
        ({"EMAIL_PROVIDER_CONNECTIONS": "0"}, "EMAIL_PROVIDER_CONNECTIONS"),
        ({"ANYMAIL_WEBHOOK_SECRET": "no-colon"}, "ANYMAIL_WEBHOOK_SECRET"),
        ({"ANYMAIL_AMAZON_SES_CLIENT_PARAMS": "{not json"}, "ANYMAIL_AMAZON_SES_CLIENT_PARAMS"),
    ],
)
def test_a_provider_misconfigured_stops_start_up_naming_what_to_set(overrides, named):
    result = boot(**overrides)
    assert result.returncode != 0
    assert named in result.stderr and "Traceback" not in result.stderr.splitlines()[-1], result.stderr


def test_a_provider_with_its_credentials_starts():
    result = boot(EMAIL_PROVIDER="postmark", ANYMAIL_POSTMARK_SERVER_TOKEN="server-token")
    assert result.returncode == 0, result.stderr


def test_anymail_settings_come_from_their_variables(monkeypatch):
    monkeypatch.setenv("ANYMAIL_WEBHOOK_SECRET", "a:one, b:two")
    monkeypatch.setenv("ANYMAIL_MAILGUN_API_URL", "https://api.eu.mailgun.net/v3")
    monkeypatch.setenv("ANYMAIL_AMAZON_SES_CLIENT_PARAMS", '{"region_name": "eu-west-1"}')
    monkeypatch.setenv("ANYMAIL_AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS", "false")
    monkeypatch.setenv("ANYMAIL_POSTMARK_MESSAGE_STREAM", "")  # empty: unset
    assert env_anymail() == {
        "WEBHOOK_SECRET": ["a:one", "b:two"],
        "MAILGUN_API_URL": "https://api.eu.mailgun.net/v3",
        "AMAZON_SES_CLIENT_PARAMS": {"region_name": "eu-west-1"},
        "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": False,
    }
