from tests.campaigns.smtp import smtp_server  # noqa: F401 (fixtures for this folder's tests)
from tests.campaigns.test_tracking import sent  # noqa: F401
