"""The board as files: every note and cluster with its dots, hidden notes marked, text that a
spreadsheet would run made inert, and nobody's account in it."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import UserFactory
from tests.workshops.factories import (
    BoardParticipantFactory,
    ClusterFactory,
    NoteFactory,
    board_workshop,
)
from workshops.models import DotVote
from workshops.services import board_exports

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(riga):
    return board_workshop(organisation=riga, title="Riverside")


def test_only_facilitators_and_administrators_export(workshop, riga_moderator, riga_admin):
    for user in (UserFactory(), riga_moderator):
        with pytest.raises(PermissionDenied):
            board_exports.require_export(user, workshop)
    board_exports.require_export(riga_admin, workshop)


def test_csv_and_json(workshop):
    seat = BoardParticipantFactory(workshop=workshop)
    cluster = ClusterFactory(workshop=workshop, title="=1+1", prompt=workshop.prompts.first())
    note = NoteFactory(
        workshop=workshop, cluster=cluster, text="+cmd|' /C calc'!A0", display_name="@Ann"
    )
    NoteFactory(workshop=workshop, text="Rude", hidden=True)
    DotVote.objects.create(workshop=workshop, participant=seat, note=note)
    DotVote.objects.create(workshop=workshop, participant=seat, cluster=cluster)

    rows = list(csv.DictReader(io.StringIO(board_exports.board_csv(workshop))))
    notes = [r for r in rows if r["kind"] == "note"]
    clusters = [r for r in rows if r["kind"] == "cluster"]
    assert [(r["text"], r["name"], r["cluster"], r["dots"], r["hidden"]) for r in notes] == [
        ("'+cmd|' /C calc'!A0", "'@Ann", "'=1+1", "1", "no"),
        ("Rude", "", "", "0", "yes"),
    ]
    assert [(r["cluster"], r["dots"], r["prompt"]) for r in clusters] == [
        ("'=1+1", "1", "What works well here?")
    ]
    assert not {"user", "participant", "seat"} & set(rows[0])

    data = board_exports.board_json(workshop)
    assert data["title"] == "Riverside"
    assert [(n["text"], n["hidden"], n["dots"]) for n in data["notes"]] == [
        ("+cmd|' /C calc'!A0", False, 1),
        ("Rude", True, 0),
    ]
    assert data["clusters"][0]["dots"] == 1
    assert "join_code" not in data
    assert "presence" not in data
    for row in data["notes"]:
        assert not {"user", "participant"} & set(row)
