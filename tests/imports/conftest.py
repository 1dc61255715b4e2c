from tests.tasks.builders import queues  # noqa: F401 (a fixture for this folder's tests)
from tests.tasks.chunked import baseline  # noqa: F401 (a fixture: tests/imports/test_parallel_writers.py)
