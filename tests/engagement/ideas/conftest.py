"""Fixtures of the ideas tests: personas, processes in known phases, a JSON client,
isolated rate limits and a throw-away media directory."""

from __future__ import annotations

import pytest

from engagement.people.models import Role
from tests import factories


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def author(db):
    return factories.UserFactory(email="author@example.org", display_name="Ada Author")


@pytest.fixture
def gdansk_moderator(gdansk):
    return factories.staff(gdansk, Role.MODERATOR, email="moderator@gdansk.example")


@pytest.fixture
def gdansk_reviewer(gdansk):
    return factories.staff(gdansk, Role.REVIEWER, email="reviewer@gdansk.example")


@pytest.fixture
def collection(riga):
    """Rīga's idea collection, collecting ideas."""
    return factories.IdeaCollectionFactory(organisation=riga, slug="waterfront")


@pytest.fixture
def idea(collection, author):
    return factories.IdeaFactory(process=collection, author=author, title="Benches by the sea")
