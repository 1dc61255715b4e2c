from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture for this folder's tests)
from tests.tasks.builders import queues  # noqa: F401 (a fixture for this folder's tests)
from tests.webhooks.builders import hooks  # noqa: F401 (a fixture for this folder's tests)
