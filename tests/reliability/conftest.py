"""Every reliability test is bounded in time: faults must end in an error, never a hang."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.faults import Gate

TEST_TIME_LIMIT = 20.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/reliability/" in item.nodeid and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TEST_TIME_LIMIT))


@pytest.fixture
def gate() -> Iterator[Gate]:
    """A stall the test ends: released at teardown so the emulator's handler returns."""
    g = Gate()
    yield g
    g.release()
