"""Notes and clusters become idea drafts: facilitators only, the workshop must lead to a
process, named notes need their author's consent, and both sides stay traceable."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from engagement.ideas import ports
from engagement.ideas.models import Idea, IdeaStatus
from tests.factories import IdeaCollectionFactory, UserFactory, budget_process
from tests.workshops.factories import ClusterFactory, NoteFactory, board_workshop
from workshops.models import Cluster, Note
from workshops.services import ideas

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


@pytest.fixture
def process(riga):
    return IdeaCollectionFactory(organisation=riga)


@pytest.fixture
def workshop(riga, process):
    return board_workshop(organisation=riga, process=process, title="Riverside")


@pytest.fixture
def facilitator(workshop):
    user = UserFactory()
    workshop.facilitators.add(user)
    return user


def test_only_facilitators_and_administrators(workshop, riga_moderator, gdansk_admin, resident):
    note = NoteFactory(workshop=workshop)
    for outsider in (riga_moderator, gdansk_admin, resident):
        with pytest.raises(PermissionDenied):
            ideas.note_to_idea(actor=outsider, note=note)
    assert not Idea.objects.exists()


def test_a_workshop_leading_nowhere_is_refused(riga, riga_admin):
    workshop = board_workshop(organisation=riga)
    note = NoteFactory(workshop=workshop)
    with pytest.raises(ValidationError) as error:
        ideas.note_to_idea(actor=riga_admin, note=note)
    assert codes(error.value) == {"workshop": ["no_process"]}
    with pytest.raises(ValidationError):
        ideas.cluster_to_idea(actor=riga_admin, cluster=ClusterFactory(workshop=workshop))
    assert not Idea.objects.exists()


def test_a_named_note_needs_consent(workshop, facilitator):
    named = NoteFactory(workshop=workshop, display_name="Anna", idea_consent=False)
    with pytest.raises(ValidationError) as error:
        ideas.note_to_idea(actor=facilitator, note=named)
    assert codes(error.value) == {"note": ["no_consent"]}
    hidden = NoteFactory(workshop=workshop, hidden=True)
    with pytest.raises(ValidationError) as error:
        ideas.note_to_idea(actor=facilitator, note=hidden)
    assert codes(error.value) == {"note": ["hidden"]}
    assert not Idea.objects.exists()


def test_a_note_becomes_a_draft_traceable_both_ways(workshop, facilitator, process):
    note = NoteFactory(
        workshop=workshop, text="Shade <b>sails</b>", display_name="Anna", idea_consent=True
    )
    idea = ideas.note_to_idea(actor=facilitator, note=note)
    assert idea.status == IdeaStatus.DRAFT
    assert idea.process == process
    assert idea.author == facilitator
    assert idea.title.startswith("Shade")
    assert "<b>" not in idea.description  # escaped, then sanitised
    assert "Anna" in idea.description
    assert "Riverside" in idea.description
    assert Note.objects.get(pk=note.pk).idea_id == idea.pk
    assert ports.idea_origins([idea.pk]) == {
        idea.pk: {
            "kind": "workshop",
            "workshop": workshop.pk,
            "title": "Riverside",
            "note": note.pk,
        }
    }
    with pytest.raises(ValidationError) as error:
        ideas.note_to_idea(actor=facilitator, note=note)
    assert codes(error.value) == {"note": ["already_an_idea"]}
    assert Idea.objects.count() == 1


def test_a_cluster_leaves_out_named_notes_without_consent_and_says_so(workshop, facilitator):
    cluster = ClusterFactory(workshop=workshop, title="More shade")
    NoteFactory(workshop=workshop, cluster=cluster, text="Trees on the square")
    NoteFactory(
        workshop=workshop, cluster=cluster, text="Sails", display_name="Ben", idea_consent=True
    )
    NoteFactory(workshop=workshop, cluster=cluster, text="My secret", display_name="Cleo")
    NoteFactory(workshop=workshop, cluster=cluster, text="Hidden rude note", hidden=True)
    idea = ideas.cluster_to_idea(actor=facilitator, cluster=cluster)
    assert idea.title == "More shade"
    assert "Trees on the square" in idea.description
    assert "Sails" in idea.description
    assert "Ben" in idea.description
    assert "My secret" not in idea.description
    assert "Cleo" not in idea.description
    assert "Hidden rude note" not in idea.description
    assert "1 note written under a name is left out" in idea.description
    assert Cluster.objects.get(pk=cluster.pk).idea_id == idea.pk
    assert ports.idea_origins([idea.pk, 10**9]) == {
        idea.pk: {
            "kind": "workshop",
            "workshop": workshop.pk,
            "title": "Riverside",
            "cluster": cluster.pk,
        }
    }


def test_a_round_with_a_process_is_enough(riga, riga_admin):
    process = budget_process(organisation=riga)
    workshop = board_workshop(organisation=riga, budget_round=process.budget_round)
    idea = ideas.note_to_idea(actor=riga_admin, note=NoteFactory(workshop=workshop))
    assert idea.process == process


def test_the_ideas_own_rules_still_apply(riga, riga_admin):
    closed = IdeaCollectionFactory(organisation=riga, phase="closed")
    workshop = board_workshop(organisation=riga, process=closed)
    with pytest.raises(ValidationError):
        ideas.note_to_idea(actor=riga_admin, note=NoteFactory(workshop=workshop))
    assert not Idea.objects.exists()
