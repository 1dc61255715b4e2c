import pytest

from tests.campaigns.smtp import smtp_server  # noqa: F401 (the loopback SMTP server of the sending tests)
from tests.tasks.builders import queues  # noqa: F401


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    """Most tests post a few times from one address: the rate limit has its own tests."""
    settings.SIGNUP_POSTS_PER_IP = 1000
    settings.SIGNUP_POSTS_PER_FORM = 1000
