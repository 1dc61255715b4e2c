import pytest

from tests.subscribers.builders import Paths


@pytest.fixture
def paths(owner):
    """The URLs of the account's resources."""
    return Paths(owner)
