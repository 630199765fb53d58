"""Reviewers answer ideas; accepted budget ideas become ballot projects; duplicates merge."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgeting.models import BudgetRound, Project
from engagement.ideas import selectors
from engagement.ideas.models import Idea, ParticipatoryProcess, Support
from engagement.ideas.services import moderation
from engagement.ideas.services import review as review_services
from engagement.notifications.models import Notification
from tests import factories
from tests.engagement.ideas.util import codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(riga):
    """Rīga's round in review, with a city-wide pot and a budget for the "north" district."""
    return factories.budget_process(organisation=riga, phase="review", districts=("north",))


@pytest.fixture
def budget_idea(budget, author):
    north = budget.organisation.districts.get(slug="north")
    return factories.IdeaFactory(
        process=budget, author=author, title="Trees on Brīvības iela", district=north,
        category="green", description="<p>Plant <strong>lindens</strong>.</p>",
        latitude="56.951000", longitude="24.113000",
    )  # fmt: skip


def review(actor, idea, decision="accepted", **fields):
    return review_services.idea_review(actor=actor, idea=idea, decision=decision, **fields)


class TestReviewRefuses:
    def test_a_reviewer_of_another_organisation(self, budget_idea, gdansk_reviewer):
        with pytest.raises(PermissionDenied):
            review(gdansk_reviewer, budget_idea, cost=100)
        assert not Project.objects.filter(external_id__startswith="idea-").exists()

    @pytest.mark.parametrize("role", ["moderator", "officer", None])
    def test_people_without_the_reviewer_role(self, budget_idea, riga, role):
        person = factories.staff(riga, role) if role else factories.UserFactory()
        with pytest.raises(PermissionDenied):
            review(person, budget_idea, cost=100)

    @pytest.mark.parametrize("phase", ["information", "proposals", "voting"])
    def test_outside_the_review_phase(self, budget, budget_idea, riga_reviewer, phase):
        BudgetRound.objects.filter(pk=budget.budget_round_id).update(phase=phase)
        budget_idea.process.budget_round.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            review(riga_reviewer, budget_idea, cost=100)
        assert codes(caught.value) == {"phase": ["wrong_phase"]}

    def test_rejecting_without_a_public_reason(self, budget_idea, riga_reviewer):
        with pytest.raises(ValidationError) as caught:
            review(riga_reviewer, budget_idea, "rejected", public_reason=" <b></b>")
        assert codes(caught.value) == {"public_reason": ["reason_required"]}
        assert Idea.objects.get(pk=budget_idea.pk).status == "submitted"

    def test_accepting_into_a_budget_without_the_administrations_cost(
        self, budget_idea, riga_reviewer
    ):
        with pytest.raises(ValidationError) as caught:
            review(riga_reviewer, budget_idea)
        assert codes(caught.value) == {"cost": ["required"]}

    @pytest.mark.parametrize("status", ["draft", "accepted", "merged", "withdrawn"])
    def test_ideas_that_are_not_open(self, budget_idea, riga_reviewer, status):
        other = factories.IdeaFactory(process=budget_idea.process)
        Idea.objects.filter(pk=budget_idea.pk).update(status=status, merged_into=other)
        budget_idea.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            review(riga_reviewer, budget_idea, cost=100)
        assert codes(caught.value) == {"status": ["not_reviewable"]}

    def test_accepting_a_hidden_idea(self, budget_idea, riga_reviewer, riga_moderator):
        moderation.content_hide(actor=riga_moderator, idea=budget_idea, note="Spam.")
        with pytest.raises(ValidationError) as caught:
            review(riga_reviewer, budget_idea, cost=100)
        assert codes(caught.value) == {"status": ["hidden"]}

    def test_an_unknown_district_budget(self, budget_idea, riga_reviewer):
        with pytest.raises(ValidationError) as caught:
            review(riga_reviewer, budget_idea, cost=100, district="south")
        assert codes(caught.value) == {"district": ["unknown_district"]}
        assert Idea.objects.get(pk=budget_idea.pk).project is None

    def test_no_budget_for_the_district_and_none_city_wide(self, riga, author, riga_reviewer):
        process = factories.budget_process(
            organisation=riga, phase="review", districts=("north",), citywide=False
        )
        south = factories.DistrictFactory(organisation=riga, slug="south")
        idea = factories.IdeaFactory(process=process, author=author, district=south)
        with pytest.raises(ValidationError) as caught:
            review(riga_reviewer, idea, cost=100)
        assert codes(caught.value) == {"district": ["no_district_budget"]}


def test_accepting_makes_a_feasible_ballot_project_linked_both_ways(
    budget, budget_idea, riga_reviewer, author
):
    review(riga_reviewer, budget_idea, cost=42_000_00, public_reason="Feasible in 2027.")
    idea = Idea.objects.get(pk=budget_idea.pk)
    project = idea.project
    assert (idea.status, idea.feasible, idea.admin_cost, idea.reviewed_by) == (
        "accepted", True, 42_000_00, riga_reviewer,
    )  # fmt: skip
    assert (project.round, project.external_id, project.status, project.cost) == (
        budget.budget_round, f"idea-{idea.pk}", "feasible", 42_000_00,
    )  # fmt: skip
    assert project.district_budget.key == "north"  # the idea's district
    assert (project.title, project.description) == ("Trees on Brīvības iela", "Plant lindens.")
    assert project.categories == ["green"]
    assert (str(project.latitude), str(project.longitude)) == ("56.951000", "24.113000")
    assert Project.objects.get(pk=project.pk).idea == idea
    assert selectors.idea_links_for_projects([project.pk]) == {
        project.pk: {"id": idea.pk, "title": idea.title, "process": budget.slug}
    }
    told = Notification.objects.get(event="idea.status_changed")
    assert (told.recipient, told.context["status"]) == (author, "accepted")


def test_ideas_without_a_district_go_to_the_city_wide_budget(budget, author, riga_reviewer):
    idea = factories.IdeaFactory(process=budget, author=author)
    review(riga_reviewer, idea, cost=1_000_00)
    assert Idea.objects.get(pk=idea.pk).project.district_budget.key == "city"


def test_the_reviewer_may_choose_the_district_budget(budget_idea, riga_reviewer):
    review(riga_reviewer, budget_idea, cost=1_000_00, district="city")
    assert Idea.objects.get(pk=budget_idea.pk).project.district_budget.key == "city"


def test_rejected_ideas_may_be_reconsidered(budget_idea, riga_reviewer, author):
    review(riga_reviewer, budget_idea, "rejected", public_reason="Not city land.")
    idea = Idea.objects.get(pk=budget_idea.pk)
    assert (idea.status, idea.feasible, idea.public_reason, idea.project) == (
        "rejected", False, "Not city land.", None,
    )  # fmt: skip
    review(riga_reviewer, idea, cost=500_00, public_reason="The land was bought.")
    assert Idea.objects.get(pk=budget_idea.pk).status == "accepted"
    assert Notification.objects.filter(event="idea.status_changed", recipient=author).count() == 2


def test_under_review_without_a_decision(budget_idea, riga_reviewer):
    review(riga_reviewer, budget_idea, "under_review", cost=800_00)
    idea = Idea.objects.get(pk=budget_idea.pk)
    assert (idea.status, idea.feasible, idea.admin_cost, idea.project) == (
        "under_review", None, 800_00, None,
    )  # fmt: skip


def test_idea_collections_accept_without_money(collection, idea, riga_reviewer):
    ParticipatoryProcess.objects.filter(pk=collection.pk).update(phase="reviewing")
    idea.process.refresh_from_db()
    review(riga_reviewer, idea)
    idea.refresh_from_db()
    assert (idea.status, idea.project) == ("accepted", None)


# --- merging --------------------------------------------------------------------------------


@pytest.fixture
def duplicate(budget, author):
    return factories.IdeaFactory(process=budget, author=author, title="Lindens, please")


class TestMergeRefuses:
    def test_into_itself(self, duplicate, riga_reviewer):
        with pytest.raises(ValidationError) as caught:
            review_services.idea_merge(actor=riga_reviewer, idea=duplicate, into=duplicate)
        assert codes(caught.value) == {"into": ["same"]}

    def test_across_processes(self, duplicate, idea, riga_reviewer):
        with pytest.raises(ValidationError) as caught:
            review_services.idea_merge(actor=riga_reviewer, idea=duplicate, into=idea)
        assert codes(caught.value) == {"into": ["wrong_process"]}

    def test_into_a_merged_or_withdrawn_idea(self, duplicate, budget_idea, riga_reviewer):
        Idea.objects.filter(pk=budget_idea.pk).update(status="withdrawn")
        budget_idea.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            review_services.idea_merge(actor=riga_reviewer, idea=duplicate, into=budget_idea)
        assert codes(caught.value) == {"into": ["invalid_target"]}

    def test_by_a_reviewer_of_another_organisation(self, duplicate, budget_idea, gdansk_reviewer):
        with pytest.raises(PermissionDenied):
            review_services.idea_merge(actor=gdansk_reviewer, idea=duplicate, into=budget_idea)


def test_merging_keeps_a_link_and_does_not_move_supports(
    duplicate, budget_idea, riga_reviewer, resident, author
):
    Support.objects.create(idea=duplicate, user=resident)
    review_services.idea_merge(
        actor=riga_reviewer, idea=duplicate, into=budget_idea, public_reason="The same trees."
    )
    merged = Idea.objects.get(pk=duplicate.pk)
    assert (merged.status, merged.merged_into, merged.public_reason) == (
        "merged", budget_idea, "The same trees.",
    )  # fmt: skip
    assert list(Support.objects.values_list("idea", flat=True)) == [duplicate.pk]
    told = Notification.objects.get(event="idea.merged")
    assert told.recipient == author
    assert told.context["merged_into"] == {"id": budget_idea.pk, "title": budget_idea.title}
