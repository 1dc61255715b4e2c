from tests.tasks.builders import queues  # noqa: F401 (a fixture for this folder's tests)
from tests.tasks.chunked import baseline, failures_not_kept  # noqa: F401 (fixtures)
