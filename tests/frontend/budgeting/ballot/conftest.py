"""Helpers for the ballot pages: URLs and a signed-in voter's client."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from budgeting.models import Project
from tests import factories

RECEIPT_RE = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}")


def url(name: str, budget_round, key: str | None = None) -> str:
    args = [budget_round.slug] + ([key] if key else [])
    return reverse(f"frontend:{name}", args=args)


def pks(budget_round, *external_ids: str) -> list[int]:
    by_id = dict(Project.objects.filter(round=budget_round).values_list("external_id", "pk"))
    return [by_id[e] for e in external_ids]


def ballots(budget_round) -> list[SimpleNamespace]:
    """What the round's ballot box holds, sealed or opened (projects and points as lists)."""
    return [
        SimpleNamespace(
            projects=list(b.projects), points=None if b.points is None else list(b.points)
        )
        for b in factories.ballots_in_box(budget_round)
    ]


def body(response) -> str:
    return response.content.decode()


def cast(client, budget_round, data: dict, key: str = "city"):
    """Review then confirm, as a voter without JavaScript does; the final response."""
    review = client.post(url("ballot_review", budget_round, key), data)
    assert review.status_code == 200, body(review)
    return client.post(url("ballot_review", budget_round, key), {**data, "action": "confirm"})


@pytest.fixture
def as_voter(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
