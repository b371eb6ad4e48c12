"""Fixtures of the accounts tests."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine


@pytest.fixture
def clock_mid_window() -> Iterator[None]:
    """Rate limits count in fixed windows (a minute, a quarter, an hour): start the test just inside
    one, so that it cannot straddle two whatever the time it runs at."""
    with time_machine.travel(datetime(2026, 3, 14, 10, 0, 5, tzinfo=UTC), tick=True):
        yield
