"""Moving a round through its phases, with a confirm step, and scheduling phase starts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from budgeting.models import PhaseSchedule, Project
from tests.frontend.budgeting.staff.conftest import draft_round

pytestmark = pytest.mark.django_db

PHASE = "/staff/rounds/riga-2026/phase/"


def test_the_page_shows_the_current_phase_and_what_comes_next(signed_in, riga_admin, riga_round):
    html = signed_in(riga_admin).get(PHASE).content.decode()
    assert "Now: Voting" in html
    assert '<li aria-current="step">Voting</li>' in html
    assert 'name="to" value="tallying"' in html
    assert "Voting closes: nobody can vote or change a ballot any more." in html
    assert 'value="closed"' not in html  # not a move the phase machine allows from voting


def test_choosing_a_phase_asks_for_confirmation_and_says_what_changes(
    signed_in, riga_admin, riga_round
):
    response = signed_in(riga_admin).get(PHASE, {"to": "tallying"})
    html = response.content.decode()
    assert "Move the round to Tallying?" in html
    assert "What changes for residents:" in html
    assert "This cannot be undone" in html
    assert 'name="confirm"' in html
    riga_round.refresh_from_db()
    assert riga_round.phase == "voting"  # looking is not moving


def test_without_the_confirmation_nothing_moves(signed_in, riga_admin, riga_round):
    response = signed_in(riga_admin).post(PHASE, {"to": "tallying"})
    assert response.status_code == 400
    assert "Tick the box to confirm the change." in response.content.decode()
    riga_round.refresh_from_db()
    assert riga_round.phase == "voting"


def test_confirmed_the_round_moves_and_voting_closes(signed_in, riga_admin, riga_round):
    client = signed_in(riga_admin)
    response = client.post(PHASE, {"to": "tallying", "confirm": "on"})
    assert response.status_code == 302
    riga_round.refresh_from_db()
    assert riga_round.phase == "tallying"
    assert riga_round.phase_changed_at is not None
    html = client.get(PHASE).content.decode()
    assert "The round is now in the Tallying phase." in html
    assert "Now: Tallying" in html


def test_a_move_the_phase_machine_refuses_is_400(signed_in, riga_admin, riga_round):
    response = signed_in(riga_admin).post(PHASE, {"to": "closed", "confirm": "on"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    riga_round.refresh_from_db()
    assert riga_round.phase == "voting"


def test_entering_voting_needs_feasible_projects_the_service_says_which(
    signed_in, riga, riga_admin
):
    draft_round(riga)
    response = signed_in(riga_admin).post(
        "/staff/rounds/riga-draft/phase/", {"to": "voting", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "No feasible projects for: City-wide." in response.content.decode()


def test_entering_voting_puts_feasible_projects_on_the_ballot(signed_in, riga, riga_admin):
    budget_round = draft_round(riga)
    city = budget_round.districts.get()
    Project.objects.create(
        round=budget_round,
        district_budget=city,
        external_id="p1",
        title="Trees",
        cost=100,
        status="feasible",
    )
    response = signed_in(riga_admin).post(
        "/staff/rounds/riga-draft/phase/", {"to": "voting", "confirm": "on"}
    )
    assert response.status_code == 302
    budget_round.refresh_from_db()
    assert budget_round.phase == "voting"
    assert Project.objects.get(external_id="p1").status == "on_ballot"


def test_the_schedule_is_entered_in_the_city_time_and_can_be_removed(
    signed_in, riga_admin, riga_round
):
    client = signed_in(riga_admin)
    response = client.post(PHASE, {"action": "schedule", "tallying": "2027-03-01T10:00"})
    assert response.status_code == 302
    entry = PhaseSchedule.objects.get(round=riga_round, phase="tallying")
    # Rīga is two hours ahead of UTC in March.
    assert entry.starts_at == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    html = client.get(PHASE).content.decode()
    assert 'value="2027-03-01T10:00"' in html
    assert "Europe/Riga" in html
    client.post(PHASE, {"action": "schedule", "tallying": ""})
    assert not PhaseSchedule.objects.filter(round=riga_round).exists()


def test_a_bad_date_is_refused_at_the_field(signed_in, riga_admin, riga_round):
    response = signed_in(riga_admin).post(PHASE, {"action": "schedule", "tallying": "soon"})
    assert response.status_code == 400
    assert 'id="id_tallying-error">Enter a valid date/time.' in response.content.decode()
    assert not PhaseSchedule.objects.exists()
