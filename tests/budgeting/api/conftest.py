"""Fixtures of the budgeting API tests: more personas, JSON helpers, isolated rate limits."""

from __future__ import annotations

import pytest

from engagement.people.models import Role
from tests import factories


@pytest.fixture
def second_officer(riga):
    return factories.staff(riga, Role.OFFICER, email="officer2@riga.example")
