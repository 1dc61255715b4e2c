from tests.tasks.builders import queues  # noqa: F401 (a fixture for this folder's tests)
