import logging

import pytest

from tests.faults.services import services, stack  # noqa: F401 (fixtures for this folder's tests)


@pytest.fixture(autouse=True)
def _quiet_smtp_log():
    """aiosmtpd logs every SMTP command: thousands of lines in a failure's report."""
    smtp_log = logging.getLogger("mail.log")
    level = smtp_log.level
    smtp_log.setLevel(logging.WARNING)
    yield
    smtp_log.setLevel(level)
