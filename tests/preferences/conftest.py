from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture for this folder's tests)
from tests.campaigns.workers import fresh_redis, smtp_servers  # noqa: F401
