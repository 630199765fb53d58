"""Fixtures of the ideas pages: an idea collection of Rīga collecting ideas, its author."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def author(db):
    return factories.UserFactory(email="author@example.org", display_name="Ada Author")


@pytest.fixture
def collection(riga):
    """Rīga's idea collection, collecting ideas (categories green, play, culture)."""
    return factories.IdeaCollectionFactory(
        organisation=riga, slug="waterfront", title="Ideas for the waterfront"
    )


@pytest.fixture
def north(riga):
    return factories.DistrictFactory(organisation=riga, slug="north", name="North Shore")


@pytest.fixture
def idea(collection, author):
    return factories.IdeaFactory(process=collection, author=author, title="Benches by the sea")


def body(response) -> str:
    return response.content.decode()
