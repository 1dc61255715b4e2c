from tests.campaigns.smtp import smtp_server  # noqa: F401 (the loopback SMTP server of the sending tests)
from tests.tasks.builders import queues  # noqa: F401
