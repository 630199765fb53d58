"""Results as CSV/JSON and ballots as a pabulib file: only once published, never who voted."""

import csv
import io
import json

import pytest

from budgeting import pabulib
from budgeting.models import Phase
from budgeting.services import results, rounds, voting
from budgeting.services.pabulib_io import pabulib_import
from engagement.people.permissions import SYSTEM
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_round(riga):
    """A secret round: three voters, tallied and published."""
    budget_round = factories.voting_round(
        organisation=riga, budget=60_000_00, costs=(40_000_00, 30_000_00, 20_000_00)
    )
    city = budget_round.districts.get()
    for choice in (["p1"], ["p1", "p3"], ["p2", "p3"]):
        voting.ballot_cast(
            voter=factories.UserFactory(),
            budget_round=budget_round,
            district_budget=city,
            projects=choice,
        )
    rounds.phase_advance(actor=SYSTEM, budget_round=budget_round, to_phase=Phase.TALLYING)
    return budget_round


def _publish(budget_round):
    results.results_publish(actor=SYSTEM, budget_round=budget_round)


def test_nothing_is_exported_before_publication(client, finished_round):
    base = f"/api/v1/rounds/{finished_round.slug}"
    assert client.get(f"{base}/results.csv").status_code == 404
    assert client.get(f"{base}/results.json").status_code == 404
    assert client.get(f"{base}/ballots.pb?district=city").status_code == 404


def test_unknown_format_or_district_is_404(client, finished_round):
    _publish(finished_round)
    base = f"/api/v1/rounds/{finished_round.slug}"
    assert client.get(f"{base}/results.xlsx").status_code == 404
    assert client.get(f"{base}/ballots.pb?district=atlantis").status_code == 404


def test_results_csv_has_a_row_per_project_with_the_outcome(client, finished_round):
    _publish(finished_round)
    response = client.get(f"/api/v1/rounds/{finished_round.slug}/results.csv")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_id = {row["project_id"]: row for row in rows}
    assert set(by_id) == {"p1", "p2", "p3"}
    assert by_id["p1"]["support"] == "2"
    assert by_id["p1"]["cost"] == "40000.00"
    selected = {pid for pid, row in by_id.items() if row["selected"] == "True"}
    published = results.tally_run(actor=SYSTEM, budget_round=finished_round)[0].selected
    assert selected == set(published)


def test_results_json_matches_the_published_result(client, finished_round):
    _publish(finished_round)
    body = json.loads(client.get(f"/api/v1/rounds/{finished_round.slug}/results.json").content)
    assert body["published"] is True
    assert body["districts"][0]["ballots"] == 3
    assert body["districts"][0]["budget"] == "60000.00"
    assert {p["project_id"] for p in body["projects"]} == {"p1", "p2", "p3"}


def test_ballot_file_of_a_secret_round_reimports_to_the_same_outcome(client, finished_round, riga):
    _publish(finished_round)
    response = client.get(f"/api/v1/rounds/{finished_round.slug}/ballots.pb?district=city")
    assert response.status_code == 200
    text = response.content.decode()
    election = pabulib.read_pabulib(io.StringIO(text))
    assert sorted(v.voter_id for v in election.votes) == ["1", "2", "3"]
    assert all(not v.extra for v in election.votes)
    assert "@" not in text  # no email, no account reference

    report = pabulib_import(io.StringIO(text), actor=SYSTEM, organisation=riga, slug="reimported")
    again = results.tally_district(
        report.budget_round, report.budget_round.districts.get(), finished_round.outcome_rule
    )
    original = results.tally_run(actor=SYSTEM, budget_round=finished_round)[0]
    assert sorted(again.selected) == sorted(original.selected)
    assert again.spent == original.spent
