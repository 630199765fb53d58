"""Turnout, tally previews for staff, publishing, and the public results with explanations.

The election of most tests (``voting_round``: budget 100,000 EUR; p1 40,000, p2 30,000,
p3 20,000, p4 50,000) has four ballots: {p1, p2}, {p1, p4}, {p4}, {p1}. Support: p1 3,
p4 2, p2 1, p3 0. Greedy funds p1 then p4 (90,000 spent); p2 no longer fits at step 3.
"""

from __future__ import annotations

from typing import get_args

import pytest

from budgeting.models import BudgetRound, Project, TallyResult
from budgeting.selectors.outcomes import RESULT_REASON_MESSAGES
from budgeting.services import voting
from budgeting.tally import ReasonCode
from tests import factories
from tests.budgeting.api.util import url

pytestmark = pytest.mark.django_db

BALLOTS = (["p1", "p2"], ["p1", "p4"], ["p4"], ["p1"])


def election(riga, **settings):
    budget_round = factories.voting_round(organisation=riga, **settings)
    city = budget_round.districts.get()
    for projects in BALLOTS:
        voting.ballot_cast(
            voter=factories.UserFactory(),
            budget_round=budget_round,
            district_budget=city,
            projects=projects,
        )
    return budget_round


def move(budget_round, phase):
    BudgetRound.objects.filter(pk=budget_round.pk).update(phase=phase)
    budget_round.refresh_from_db()


def publish(as_user, budget_round, admin):
    move(budget_round, "tallying")
    response = as_user(admin).post(url(budget_round, "publish/"))
    assert response.status_code == 200, response.json()
    return response


def by_id(district):
    return {p["id"]: p for p in district["projects"]}


class TestTurnout:
    def test_draft_is_404(self, as_user, riga):
        budget_round = factories.voting_round(organisation=riga)
        move(budget_round, "draft")
        assert as_user(None).get(url(budget_round, "turnout/")).status_code == 404

    def test_counts_voters_per_district_and_channel(self, as_user, riga):
        budget_round = election(riga)
        body = as_user(None).get(url(budget_round, "turnout/")).json()
        assert body == {
            "voters": 4,
            "districts": {"city": {"total": 4, "online": 4, "paper": 0, "imported": 0}},
        }


class TestPublicResults:
    def test_draft_round_results_are_404(self, as_user, riga, resident):
        budget_round = factories.voting_round(organisation=riga)
        move(budget_round, "draft")
        assert as_user(resident).get(url(budget_round, "results/")).status_code == 404

    def test_nothing_before_publication(self, as_user, riga, riga_admin):
        budget_round = election(riga, live_counts_public=True)
        empty = {"published": False, "districts": []}
        assert as_user(None).get(url(budget_round, "results/")).json() == empty
        move(budget_round, "tallying")
        assert as_user(riga_admin).post(url(budget_round, "tally/")).status_code == 200
        assert as_user(None).get(url(budget_round, "results/")).json() == empty

    def test_published_in_tallying_shows_the_counts_that_explain_it(
        self, as_user, riga, riga_admin
    ):
        budget_round = election(riga)
        publish(as_user, budget_round, riga_admin)
        body = as_user(None).get(url(budget_round, "results/")).json()
        assert body["published"] is True
        (city,) = body["districts"]
        assert (city["district"], city["rule"], city["tie_break"]) == (
            "city",
            "greedy",
            "project-id",
        )
        assert city["selected"] == ["p1", "p4"]
        assert (city["spent"], city["spent_display"]) == (9000000, "90000.00")
        assert (city["budget"], city["budget_display"]) == (10000000, "100000.00")
        assert city["ballot_count"] == 4
        assert city["published_at"]
        projects = by_id(city)
        assert list(projects) == ["p1", "p4", "p2", "p3"]
        assert {k: p["support"] for k, p in projects.items()} == {
            "p1": 3,
            "p4": 2,
            "p2": 1,
            "p3": 0,
        }
        assert projects["p2"] == {
            "id": "p2",
            "title": Project.objects.get(external_id="p2").title,
            "selected": False,
            "support": 1,
            "reason": "not_affordable",
            "step": 3,
            "params": {"cost": 3000000, "remaining": 1000000, "support": 1},
            "explanation": "Not funded: at step 3 it cost 30,000.00 EUR and only 10,000.00 EUR"
            " was left.",
        }
        assert projects["p1"]["explanation"] == "Funded at step 1."
        assert (projects["p4"]["selected"], projects["p4"]["step"]) == (True, 2)

    def test_live_counts_round_shows_support_in_tallying(self, as_user, riga, riga_admin):
        budget_round = election(riga, live_counts_public=True)
        publish(as_user, budget_round, riga_admin)
        (city,) = as_user(None).get(url(budget_round, "results/")).json()["districts"]
        assert {p["id"]: p["support"] for p in city["projects"]} == {
            "p1": 3,
            "p4": 2,
            "p2": 1,
            "p3": 0,
        }
        assert by_id(city)["p2"]["params"]["support"] == 1

    def test_counts_are_public_once_the_round_is_in_results(self, as_user, riga, riga_admin):
        budget_round = election(riga)
        publish(as_user, budget_round, riga_admin)
        moved = as_user(riga_admin).post(url(budget_round, "phase/"), {"to": "results"})
        assert moved.status_code == 200, moved.json()
        (city,) = as_user(None).get(url(budget_round, "results/")).json()["districts"]
        assert by_id(city)["p1"]["support"] == 3
        listed = as_user(None).get(url(budget_round, "projects/")).json()["results"]
        assert {p["id"]: (p["support"], p["status"]) for p in listed} == {
            "p1": (3, "selected"),
            "p2": (1, "not_selected"),
            "p3": (0, "not_selected"),
            "p4": (2, "selected"),
        }

    def test_every_tally_reason_has_a_translated_sentence(self):
        assert set(get_args(ReasonCode)) <= set(RESULT_REASON_MESSAGES)


class TestTallyPreview:
    def test_only_in_tallying(self, as_user, riga, riga_admin):
        budget_round = election(riga)
        response = as_user(riga_admin).post(url(budget_round, "tally/"))
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"phase": ["wrong_phase"]}
        assert not TallyResult.objects.exists()

    def test_unknown_rule_is_a_field_error(self, as_user, riga, riga_admin):
        budget_round = election(riga)
        move(budget_round, "tallying")
        response = as_user(riga_admin).post(url(budget_round, "tally/"), {"rule": "coin-toss"})
        assert response.json()["error_codes"] == {"rule": ["invalid_choice"]}
        response = as_user(riga_admin).get(url(budget_round, "tally/"), {"rule": "coin-toss"})
        assert response.status_code == 400

    def test_runs_a_rule_and_shows_staff_the_counts(self, as_user, riga, riga_admin):
        budget_round = election(riga)
        move(budget_round, "tallying")
        response = as_user(riga_admin).post(url(budget_round, "tally/"), {"rule": "mes"})
        assert response.status_code == 200
        body = response.json()
        assert (body["rule"], body["comparison"]) == ("mes", None)
        (city,) = body["results"]
        assert (city["rule"], city["published_at"]) == ("mes", None)
        assert by_id(city)["p1"]["support"] == 3
        assert all(p["explanation"].endswith(".") for p in city["projects"])
        latest = as_user(riga_admin).get(url(budget_round, "tally/"), {"rule": "mes"}).json()
        assert latest["results"] == body["results"]
        assert (
            as_user(riga_admin)
            .get(url(budget_round, "tally/"), {"rule": "greedy"})
            .json()["results"]
            == []
        )

    def test_default_rule_is_the_rounds(self, as_user, riga, riga_admin):
        budget_round = election(riga, outcome_rule="equal-shares")
        move(budget_round, "tallying")
        body = as_user(riga_admin).post(url(budget_round, "tally/")).json()
        assert body["rule"] == "equal-shares"
        assert body["results"][0]["rule"] == "equal-shares"

    def test_compare_runs_every_rule_side_by_side(self, as_user, riga, riga_admin):
        budget_round = election(riga)
        move(budget_round, "tallying")
        body = as_user(riga_admin).get(url(budget_round, "tally/"), {"compare": "1"}).json()
        assert body["rule"] == "greedy"
        (city,) = body["comparison"]
        assert (city["district"], city["budget"], city["ballot_count"]) == ("city", 10000000, 4)
        rules = {r["rule"]: r for r in city["rules"]}
        assert list(rules) == ["greedy", "mes", "equal-shares", "equal-shares-greedy"]
        assert rules["greedy"]["selected"] == ["p1", "p4"]
        assert rules["greedy"]["spent_display"] == "90000.00"
        assert "p1" in city["selected_by_all"]
        assert set(city["selected_by_all"]) == set.intersection(
            *(set(r["selected"]) for r in rules.values())
        )
        for rule in rules:
            preview = as_user(riga_admin).get(url(budget_round, "tally/"), {"rule": rule}).json()
            (result,) = preview["results"]
            assert result["selected"] == rules[rule]["selected"]
            for project in result["projects"]:
                assert project["explanation"] != project["reason"], (rule, project)

    def test_explanations_name_where_supporters_money_went(self, as_user, riga, riga_admin):
        budget_round = election(riga)
        move(budget_round, "tallying")
        p1 = Project.objects.get(external_id="p1").title
        client = as_user(riga_admin)
        (mes,) = client.post(url(budget_round, "tally/"), {"rule": "mes"}).json()["results"]
        # p4's two supporters paid for p1 first; p2's one supporter never had its cost.
        assert by_id(mes)["p4"]["reason"] == "supporters_exhausted"
        assert by_id(mes)["p4"]["explanation"] == (
            f"Not funded: its supporters' shares were spent on {p1} (p1) first."
        )
        assert by_id(mes)["p2"]["reason"] == "supporters_exhausted"
        assert by_id(mes)["p2"]["explanation"] == (
            "Not funded: its supporters' shares together were smaller than its cost of"
            " 30,000.00 EUR."
        )
        assert by_id(mes)["p3"]["explanation"] == "Not funded: nobody voted for it."
        (esg,) = client.post(url(budget_round, "tally/"), {"rule": "equal-shares-greedy"}).json()[
            "results"
        ]
        assert by_id(esg)["p4"]["reason"] == "completion_add1"
        assert by_id(esg)["p2"]["explanation"] == (
            "Not funded: its supporters' shares did not cover it, and the 10,000.00 EUR left"
            " over was less than its cost of 30,000.00 EUR."
        )

    def test_compare_outside_tallying_is_refused(self, as_user, riga, riga_admin):
        budget_round = election(riga)
        response = as_user(riga_admin).get(url(budget_round, "tally/"), {"compare": "true"})
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"phase": ["wrong_phase"]}


class TestPublish:
    def test_only_from_tallying(self, as_user, riga, riga_admin):
        budget_round = election(riga)
        response = as_user(riga_admin).post(url(budget_round, "publish/"))
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"phase": ["wrong_phase"]}
        assert not TallyResult.objects.filter(published_at__isnull=False).exists()

    def test_results_phase_needs_published_results(self, as_user, riga, riga_admin):
        budget_round = election(riga)
        move(budget_round, "tallying")
        response = as_user(riga_admin).post(url(budget_round, "phase/"), {"to": "results"})
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"phase": ["results_not_published"]}

    def test_publishes_the_rounds_rule_and_marks_projects(self, as_user, riga, riga_admin):
        budget_round = election(riga)
        body = publish(as_user, budget_round, riga_admin).json()
        assert body["published"] is True
        (city,) = body["districts"]
        assert city["selected"] == ["p1", "p4"]
        assert by_id(city)["p1"]["support"] == 3  # the administrator sees the counts
        statuses = dict(Project.objects.values_list("external_id", "status"))
        assert statuses == {
            "p1": "selected",
            "p2": "not_selected",
            "p3": "not_selected",
            "p4": "selected",
        }
