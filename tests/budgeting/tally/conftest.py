"""Fixtures for the tally tests (no database, no Django)."""

from __future__ import annotations

import pytest

from tests.budgeting.tally.support import Loaded, load


@pytest.fixture(scope="session")
def pabulib() -> type[Loaded]:
    """``pabulib(name)`` returns the parsed shared file (cached for the session)."""
    return load  # type: ignore[return-value]
