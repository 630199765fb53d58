"""Shared helpers for the account page tests."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def signed_in(client):
    """``signed_in(user)`` -> the test client, signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def verified_resident(resident):
    factories.verified_email(resident)
    return resident
