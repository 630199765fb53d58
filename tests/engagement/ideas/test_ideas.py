"""Writing, changing, submitting and withdrawing ideas (services, no HTTP)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from budgeting.models import BudgetRound
from engagement.ideas.models import Follow, Idea, IdeaStatus, ParticipatoryProcess
from engagement.ideas.services import ideas, supports
from engagement.notifications.models import Notification
from tests import factories
from tests.engagement.ideas.util import codes

pytestmark = pytest.mark.django_db


def new_idea(author, process, **fields):
    values = {"title": "Benches", "description": "<p>Benches by the sea.</p>", **fields}
    return ideas.idea_create(author=author, process=process, **values)


def in_phase(process: ParticipatoryProcess, phase: str) -> ParticipatoryProcess:
    if process.kind == "budget":
        BudgetRound.objects.filter(pk=process.budget_round_id).update(phase=phase)
        process.budget_round.refresh_from_db()
    else:
        ParticipatoryProcess.objects.filter(pk=process.pk).update(phase=phase)
        process.refresh_from_db()
    return process


# --- refusals -------------------------------------------------------------------------------


class TestCreateRefuses:
    def test_anonymous_people(self, collection):
        with pytest.raises(PermissionDenied):
            new_idea(AnonymousUser(), collection)
        assert not Idea.objects.exists()

    @pytest.mark.parametrize("phase", ["draft", "reviewing", "closed"])
    def test_outside_the_collecting_phase(self, collection, author, phase):
        in_phase(collection, phase)
        with pytest.raises((ValidationError, PermissionDenied)) as caught:
            new_idea(author, collection)
        if phase != "draft":  # a draft process is not even visible to residents
            assert codes(caught.value) == {"phase": ["wrong_phase"]}
        assert not Idea.objects.exists()

    @pytest.mark.parametrize("phase", ["information", "review", "voting", "results"])
    def test_outside_the_proposals_phase_of_a_round(self, riga, author, phase):
        process = factories.budget_process(organisation=riga, phase=phase)
        with pytest.raises(ValidationError) as caught:
            new_idea(author, process)
        assert codes(caught.value) == {"phase": ["wrong_phase"]}

    def test_a_district_of_another_organisation(self, collection, author, gdansk):
        elsewhere = factories.DistrictFactory(organisation=gdansk)
        with pytest.raises(ValidationError) as caught:
            new_idea(author, collection, district=elsewhere)
        assert codes(caught.value) == {"district": ["wrong_organisation"]}

    def test_a_category_the_process_does_not_have(self, collection, author):
        with pytest.raises(ValidationError) as caught:
            new_idea(author, collection, category="rockets")
        assert codes(caught.value) == {"category": ["unknown_category"]}

    @pytest.mark.parametrize(
        ("latitude", "longitude", "field"),
        [(Decimal("56.95"), None, "longitude"), (None, Decimal("24.1"), "latitude")],
    )
    def test_half_a_location(self, collection, author, latitude, longitude, field):
        with pytest.raises(ValidationError) as caught:
            new_idea(author, collection, latitude=latitude, longitude=longitude)
        assert codes(caught.value) == {field: ["incomplete_location"]}

    def test_coordinates_out_of_range(self, collection, author):
        with pytest.raises(ValidationError) as caught:
            new_idea(author, collection, latitude=Decimal("91"), longitude=Decimal("181"))
        assert codes(caught.value) == {"latitude": ["max_value"], "longitude": ["max_value"]}

    def test_a_negative_cost(self, collection, author):
        with pytest.raises(ValidationError) as caught:
            new_idea(author, collection, estimated_cost=-1)
        assert "estimated_cost" in codes(caught.value)

    def test_empty_text_once_markup_is_removed(self, collection, author):
        with pytest.raises(ValidationError) as caught:
            new_idea(author, collection, title="<b></b> ", description="<script>x</script>")
        assert codes(caught.value) == {"title": ["required"], "description": ["required"]}


class TestUpdateRefuses:
    def test_someone_else(self, idea, resident):
        with pytest.raises(PermissionDenied):
            ideas.idea_update(actor=resident, idea=idea, title="Mine now")
        idea.refresh_from_db()
        assert idea.title == "Benches by the sea"

    @pytest.mark.parametrize("phase", ["reviewing", "closed"])
    def test_after_the_collecting_phase(self, idea, author, phase):
        in_phase(idea.process, phase)
        with pytest.raises(ValidationError) as caught:
            ideas.idea_update(actor=author, idea=idea, title="Too late")
        assert codes(caught.value) == {"phase": ["wrong_phase"]}
        idea.refresh_from_db()
        assert idea.title == "Benches by the sea"

    def test_after_the_proposals_phase_of_the_round(self, riga, author):
        process = factories.budget_process(organisation=riga, phase="proposals")
        idea = new_idea(author, process, submit=True)
        in_phase(process, "review")
        idea.process = process
        with pytest.raises(ValidationError) as caught:
            ideas.idea_update(actor=author, idea=idea, title="Too late")
        assert codes(caught.value) == {"phase": ["wrong_phase"]}

    @pytest.mark.parametrize("status", ["under_review", "accepted", "rejected", "withdrawn"])
    def test_once_it_is_past_submitted(self, idea, author, status):
        Idea.objects.filter(pk=idea.pk).update(status=status)
        idea.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            ideas.idea_update(actor=author, idea=idea, title="Changed")
        assert codes(caught.value) == {"status": ["not_editable"]}

    def test_a_hidden_idea(self, idea, author):
        Idea.objects.filter(pk=idea.pk).update(hidden=True)
        with pytest.raises(ValidationError) as caught:
            ideas.idea_update(actor=author, idea=idea, title="Changed")
        assert codes(caught.value) == {"status": ["hidden"]}

    def test_unknown_fields(self, idea, author):
        with pytest.raises(ValidationError) as caught:
            ideas.idea_update(actor=author, idea=idea, status="accepted")
        assert set(codes(caught.value)) == {"status"}
        idea.refresh_from_db()
        assert idea.status == "submitted"


class TestWithdrawRefuses:
    def test_someone_else(self, idea, resident):
        with pytest.raises(PermissionDenied):
            ideas.idea_withdraw(actor=resident, idea=idea)

    @pytest.mark.parametrize("status", ["accepted", "rejected", "merged", "withdrawn"])
    def test_decided_ideas(self, idea, author, status):
        other = factories.IdeaFactory(process=idea.process)
        Idea.objects.filter(pk=idea.pk).update(status=status, merged_into=other)
        idea.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            ideas.idea_withdraw(actor=author, idea=idea)
        assert codes(caught.value) == {"status": ["not_withdrawable"]}

    def test_once_the_process_is_closed(self, idea, author):
        in_phase(idea.process, "closed")
        with pytest.raises(ValidationError) as caught:
            ideas.idea_withdraw(actor=author, idea=idea)
        assert codes(caught.value) == {"phase": ["wrong_phase"]}


def test_submitting_twice_is_refused(idea, author):
    with pytest.raises(ValidationError) as caught:
        ideas.idea_submit(actor=author, idea=idea)
    assert codes(caught.value) == {"status": ["already_submitted"]}


# --- what works -----------------------------------------------------------------------------


def test_a_new_idea_is_a_draft_of_its_author_who_follows_it(collection, author):
    district = factories.DistrictFactory(organisation=collection.organisation)
    idea = new_idea(
        author,
        collection,
        title="  Benches <b>now</b> ",
        description='<p onclick="x">Benches</p><script>alert(1)</script>',
        category="green",
        district=district,
        latitude=Decimal("56.949600"),
        longitude=Decimal("24.105200"),
        estimated_cost=1_500_00,
    )
    idea.refresh_from_db()
    assert (idea.status, idea.submitted_at, idea.is_public) == ("draft", None, False)
    assert (idea.title, idea.description) == ("Benches now", "<p>Benches</p>")
    assert (idea.category, idea.district, idea.estimated_cost) == ("green", district, 150000)
    assert Follow.objects.filter(idea=idea, user=author).exists()


def test_submitting_makes_it_public_once(collection, author):
    idea = new_idea(author, collection)
    ideas.idea_submit(actor=author, idea=idea)
    idea.refresh_from_db()
    first = idea.submitted_at
    assert (idea.status, idea.is_public) == ("submitted", True)
    ideas.idea_update(actor=author, idea=idea, title="Better benches")
    idea.refresh_from_db()
    assert (idea.title, idea.submitted_at) == ("Better benches", first)


def test_the_author_edits_while_collecting(idea, author):
    ideas.idea_update(
        actor=author, idea=idea, title="Benches, shaded", description="<p><em>Shaded</em></p>"
    )
    idea.refresh_from_db()
    assert (idea.title, idea.description) == ("Benches, shaded", "<p><em>Shaded</em></p>")


def test_withdrawing_tells_followers_but_not_the_author(idea, author, resident):
    supports.follow_add(user=resident, idea=idea)
    ideas.idea_withdraw(actor=author, idea=idea)
    idea.refresh_from_db()
    assert idea.status == "withdrawn"
    notified = Notification.objects.filter(event="idea.status_changed")
    assert list(notified.values_list("recipient", flat=True)) == [resident.pk]
    assert notified.get().context["status"] == "withdrawn"


def test_a_withdrawn_draft_stays_private(collection, author):
    idea = new_idea(author, collection)
    ideas.idea_withdraw(actor=author, idea=idea)
    idea.refresh_from_db()
    assert (idea.status, idea.is_public) == (IdeaStatus.WITHDRAWN, False)
