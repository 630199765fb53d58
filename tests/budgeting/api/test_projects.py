"""Projects over HTTP: the public list (filters, money, counts) and staff proposals/review."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budgeting.models import Project
from budgeting.services import voting
from tests import factories
from tests.budgeting.api.util import round_in, url

pytestmark = pytest.mark.django_db

PROJECT_FIELDS = {
    "id",
    "title",
    "description",
    "translations",
    "cost",
    "cost_display",
    "district",
    "categories",
    "targets",
    "status",
    "public_reason",
    "latitude",
    "longitude",
    "support",
    "idea",
}


def ids(response):
    assert response.status_code == 200, response.json()
    return [p["id"] for p in response.json()["results"]]


def cast(budget_round, user, *projects):
    voting.ballot_cast(
        voter=user,
        budget_round=budget_round,
        district_budget=budget_round.districts.get(key="city"),
        projects=list(projects),
    )


@pytest.fixture
def review_round(riga):
    """In review: two proposals waiting, one feasible, one rejected; two districts."""
    budget_round = round_in("review", organisation=riga, costs=())
    city = budget_round.districts.get()
    north = factories.DistrictBudgetFactory(round=budget_round, key="north", name="North")
    factories.ProjectFactory(
        district_budget=city,
        external_id="c1",
        title="Tree alley",
        status="proposed",
        categories=["green"],
    )
    factories.ProjectFactory(
        district_budget=city,
        external_id="c2",
        title="Bike lanes",
        status="feasible",
        categories=["transport", "green"],
        cost=12_500_00,
        latitude=Decimal("56.946"),
        longitude=Decimal("24.105"),
    )
    factories.ProjectFactory(
        district_budget=city,
        external_id="c3",
        title="Skate park",
        status="rejected",
        public_reason="The site is a protected meadow.",
    )
    factories.ProjectFactory(
        district_budget=north, external_id="n1", title="Tree nursery", status="proposed"
    )
    return budget_round


class TestList:
    def test_draft_round_projects_are_404_to_visitors(self, as_user, riga, resident):
        draft = round_in("draft", organisation=riga)
        assert as_user(resident).get(url(draft, "projects/")).status_code == 404

    def test_proposals_awaiting_review_are_for_staff_only(
        self, as_user, review_round, resident, riga_moderator, gdansk_admin
    ):
        for visitor in (None, resident, gdansk_admin):
            assert ids(as_user(visitor).get(url(review_round, "projects/"))) == ["c2", "c3"]
        assert ids(as_user(riga_moderator).get(url(review_round, "projects/"))) == [
            "c1",
            "c2",
            "c3",
            "n1",
        ]

    def test_each_project_with_cost_in_minor_units_and_decimals(self, as_user, review_round):
        body = as_user(None).get(url(review_round, "projects/")).json()
        assert body["count"] == 2
        bike, skate = body["results"]
        assert set(bike) == PROJECT_FIELDS
        assert bike == {
            "id": "c2",
            "title": "Bike lanes",
            "description": "",
            "translations": {},
            "cost": 1250000,
            "cost_display": "12500.00",
            "district": "city",
            "categories": ["transport", "green"],
            "targets": [],
            "status": "feasible",
            "public_reason": "",
            "latitude": 56.946,
            "longitude": 24.105,
            "support": None,
            "idea": None,
        }
        assert (skate["status"], skate["public_reason"]) == (
            "rejected",
            "The site is a protected meadow.",
        )

    def test_filters(self, as_user, review_round, riga_admin):
        staff = as_user(riga_admin)
        path = url(review_round, "projects/")
        assert ids(staff.get(path, {"district": "north"})) == ["n1"]
        assert ids(staff.get(path, {"status": "proposed"})) == ["c1", "n1"]
        assert ids(staff.get(path, {"category": "green"})) == ["c1", "c2"]
        assert ids(staff.get(path, {"category": "gree"})) == []
        assert ids(staff.get(path, {"q": "tree"})) == ["c1", "n1"]
        assert ids(staff.get(path, {"q": "tree", "district": "city"})) == ["c1"]
        refused = staff.get(path, {"status": "maybe"})
        assert refused.status_code == 400
        assert "status" in refused.json()

    def test_is_paginated(self, as_user, review_round, riga_admin):
        body = as_user(riga_admin).get(url(review_round, "projects/"), {"limit": 3}).json()
        assert (body["count"], len(body["results"])) == (4, 3)
        assert body["next"]


class TestVoteCounts:
    def test_hidden_during_voting_by_default(self, as_user, riga, resident):
        budget_round = factories.voting_round(organisation=riga)
        cast(budget_round, resident, "p1", "p2")
        body = as_user(None).get(url(budget_round, "projects/")).json()
        assert [p["support"] for p in body["results"]] == [None, None, None, None]

    def test_shown_during_voting_when_the_round_says_so(self, as_user, riga, resident):
        budget_round = factories.voting_round(
            organisation=riga, live_counts_public=True, secret_ballot=False
        )
        cast(budget_round, resident, "p1", "p2")
        cast(budget_round, factories.UserFactory(), "p2")
        body = as_user(None).get(url(budget_round, "projects/")).json()
        assert {p["id"]: p["support"] for p in body["results"]} == {
            "p1": 1,
            "p2": 2,
            "p3": 0,
            "p4": 0,
        }

    def test_a_secret_rounds_counts_move_by_whole_batches(self, as_user, riga, resident, settings):
        settings.KOPA_BALLOT_BATCH = 2
        budget_round = factories.voting_round(
            organisation=riga, live_counts_public=True, secret_ballot=True
        )

        def support():
            body = as_user(None).get(url(budget_round, "projects/")).json()
            return {p["id"]: p["support"] for p in body["results"]}

        cast(budget_round, resident, "p1", "p2")
        assert support() == {"p1": 0, "p2": 0, "p3": 0, "p4": 0}
        cast(budget_round, factories.UserFactory(), "p2")
        assert support() == {"p1": 1, "p2": 2, "p3": 0, "p4": 0}
        cast(budget_round, factories.UserFactory(), "p3")
        assert support() == {"p1": 1, "p2": 2, "p3": 0, "p4": 0}

    def test_hidden_in_tallying_too_unless_live(self, as_user, riga, resident):
        budget_round = factories.voting_round(organisation=riga)
        cast(budget_round, resident, "p1")
        budget_round.phase = "tallying"
        budget_round.save()
        body = as_user(None).get(url(budget_round, "projects/")).json()
        assert {p["support"] for p in body["results"]} == {None}


class TestCreate:
    body = {
        "id": "c9",
        "district": "city",
        "title": "Benches by the river",
        "cost": "12500.50",
        "categories": ["public space"],
        "latitude": "56.95",
        "longitude": "24.1",
    }

    def test_only_administrators_propose_through_the_api(
        self, as_user, review_round, resident, riga_reviewer
    ):
        for user in (resident, riga_reviewer):
            response = as_user(user).post(url(review_round, "projects/"), self.body)
            assert response.status_code == 403
            assert "detail" in response.json()
        assert not Project.objects.filter(external_id="c9").exists()

    def test_not_once_voting_started(self, as_user, riga, riga_admin):
        budget_round = factories.voting_round(organisation=riga)
        response = as_user(riga_admin).post(url(budget_round, "projects/"), self.body)
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"phase": ["wrong_phase"]}

    def test_cost_with_too_many_decimals_is_a_field_error(self, as_user, review_round, riga_admin):
        response = as_user(riga_admin).post(
            url(review_round, "projects/"), {**self.body, "cost": "12500.505"}
        )
        assert response.status_code == 400
        assert response.json() == {
            "cost": ["EUR amounts have at most 2 decimals."],
            "error_codes": {"cost": ["too_many_decimals"]},
        }

    def test_unknown_district_and_duplicate_id_are_field_errors(
        self, as_user, review_round, riga_admin
    ):
        client = as_user(riga_admin)
        response = client.post(url(review_round, "projects/"), {**self.body, "district": "moon"})
        assert response.json()["error_codes"] == {"district": ["unknown_district"]}
        response = client.post(url(review_round, "projects/"), {**self.body, "id": "c1"})
        assert response.status_code == 400
        assert "__all__" in response.json()["error_codes"]

    def test_administrator_adds_a_proposal(self, as_user, review_round, riga_admin):
        response = as_user(riga_admin).post(url(review_round, "projects/"), self.body)
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["id"], body["status"], body["district"]) == ("c9", "proposed", "city")
        assert (body["cost"], body["cost_display"]) == (1250050, "12500.50")
        assert (body["latitude"], body["longitude"]) == (56.95, 24.1)
        assert Project.objects.get(external_id="c9").cost == 1250050


class TestReview:
    def path(self, budget_round, project_id="c1"):
        return url(budget_round, f"projects/{project_id}/review/")

    def test_unknown_or_hidden_project_is_404(self, as_user, review_round, resident, riga_reviewer):
        assert (
            as_user(riga_reviewer)
            .post(self.path(review_round, "zz"), {"feasible": True})
            .status_code
            == 404
        )
        # A proposal awaiting review is invisible to residents, so it is not found either.
        assert (
            as_user(resident).post(self.path(review_round), {"feasible": True}).status_code == 404
        )

    def test_moderators_and_officers_may_not_review(
        self, as_user, review_round, riga_moderator, riga_officer
    ):
        for user in (riga_moderator, riga_officer):
            response = as_user(user).post(self.path(review_round), {"feasible": True})
            assert response.status_code == 403
            assert response.json()["detail"] == (
                "Only reviewers of this organisation can review projects."
            )
        assert Project.objects.get(external_id="c1").status == "proposed"

    def test_rejection_needs_a_public_reason(self, as_user, review_round, riga_reviewer):
        response = as_user(riga_reviewer).post(self.path(review_round), {"feasible": False})
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"public_reason": ["reason_required"]}
        assert Project.objects.get(external_id="c1").status == "proposed"

    def test_reviewer_accepts_with_own_cost_estimate(self, as_user, review_round, riga_reviewer):
        response = as_user(riga_reviewer).post(
            self.path(review_round), {"feasible": True, "cost": "8000"}
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["cost"], body["cost_display"]) == (
            "feasible",
            800000,
            "8000.00",
        )

    def test_reviewer_rejects_publicly(self, as_user, review_round, riga_reviewer, resident):
        response = as_user(riga_reviewer).post(
            self.path(review_round), {"feasible": False, "public_reason": " Not city land. "}
        )
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["public_reason"]) == (
            "rejected",
            "Not city land.",
        )
        public = as_user(resident).get(url(review_round, "projects/"), {"status": "rejected"})
        assert ids(public) == ["c1", "c3"]


def test_list_queries_do_not_grow_with_the_projects(as_user, riga, resident):
    """No N+1: the same number of queries for 4 projects as for 40."""
    small = factories.voting_round(organisation=riga, live_counts_public=True)
    large = factories.voting_round(organisation=riga, live_counts_public=True, costs=(100,) * 40)
    client = as_user(resident)
    for budget_round in (small, large):  # session, roles and live tallies warmed up
        client.get(url(budget_round, "projects/"))

    def count(budget_round):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(budget_round, "projects/"))
        assert response.status_code == 200
        return len(queries)

    assert count(small) == count(large)


def test_a_project_from_a_citizen_idea_links_back_to_it(client):
    from engagement.ideas.models import Idea

    process = factories.budget_process(phase="review")
    budget_round = process.budget_round
    city = budget_round.districts.get(key="city")
    first = factories.ProjectFactory(district_budget=city, external_id="p1", status="feasible")
    factories.ProjectFactory(district_budget=city, external_id="p2", status="feasible")
    idea = factories.IdeaFactory(process=process, title="Shade trees", status="accepted")
    Idea.objects.filter(pk=idea.pk).update(project=first)

    rows = client.get(f"/api/v1/rounds/{budget_round.slug}/projects/").json()["results"]
    links = {row["id"]: row["idea"] for row in rows}
    assert links == {
        "p1": {"id": idea.pk, "title": "Shade trees", "process": process.slug},
        "p2": None,
    }

    Idea.objects.filter(pk=idea.pk).update(hidden=True)
    rows = client.get(f"/api/v1/rounds/{budget_round.slug}/projects/").json()["results"]
    assert {row["id"]: row["idea"] for row in rows} == {"p1": None, "p2": None}
