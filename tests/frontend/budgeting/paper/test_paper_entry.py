"""Paper-ballot entry page: double entry by two officers, disagreements, de-duplication."""

from __future__ import annotations

import pytest
from django.urls import reverse

from budgeting.models import PaperBallotEntry, PaperBallotSheet, Participation
from budgeting.services import paper, voting
from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget_round(riga):
    """Knapsack approval ballot, city budget 100,000.00: p1 40k, p2 30k, p3 20k, p4 50k."""
    return factories.voting_round(organisation=riga, knapsack=True, secret_ballot=False)


@pytest.fixture
def officers(riga):
    return [
        factories.staff(riga, Role.OFFICER, email=f"officer{n}@riga.example") for n in (1, 2, 3)
    ]


def url(budget_round) -> str:
    return reverse("frontend:staff_paper", args=[budget_round.slug])


def enter(client, officer, budget_round, *, serial="S-001", voter="LV-123", projects=("p1",)):
    client.force_login(officer)
    return client.post(
        url(budget_round),
        {"district": "city", "serial": serial, "voter_reference": voter, "projects": projects},
        follow=True,
    )


def test_anonymous_visitors_are_sent_to_sign_in(client, budget_round):
    response = client.get(url(budget_round))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("persona", ["resident", "riga_moderator", "riga_reviewer"])
def test_people_who_are_not_officers_here_are_refused(client, budget_round, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(budget_round)).status_code == 403
    response = client.post(
        url(budget_round),
        {"district": "city", "serial": "S-1", "voter_reference": "x", "projects": ["p1"]},
    )
    assert response.status_code == 403
    assert not PaperBallotSheet.objects.exists()


def test_officers_of_another_organisation_are_refused(client, budget_round, gdansk):
    client.force_login(factories.staff(gdansk, Role.OFFICER))
    assert client.get(url(budget_round)).status_code == 403


def test_the_form_follows_the_ballot_and_is_ready_to_type(client, budget_round, riga_officer):
    client.force_login(riga_officer)
    html = client.get(url(budget_round)).content.decode()
    assert 'name="serial"' in html
    assert "autofocus" in html
    assert html.count('type="checkbox" name="projects"') == 4
    assert "awaiting second entry" in html


def test_two_officers_agreeing_count_the_ballot(client, budget_round, officers):
    first = enter(client, officers[0], budget_round, projects=("p1", "p2"))
    assert "Sheet S-001 saved. It now needs a second entry by another officer." in (
        first.content.decode()
    )
    assert not factories.ballots_in_box(budget_round)
    # The second officer sees the sheet waiting for them.
    client.force_login(officers[1])
    html = client.get(url(budget_round)).content.decode()
    assert "Awaiting your entry" in html
    assert "?district=city&amp;serial=S-001" in html

    second = enter(client, officers[1], budget_round, projects=("p1", "p2"))
    assert "Sheet S-001 counted: both entries agree." in second.content.decode()
    sheet = PaperBallotSheet.objects.get()
    assert sheet.status == "counted"
    assert len(factories.ballots_in_box(budget_round)) == 1
    assert Participation.objects.get().channel == "paper"
    # After saving, the form is empty and ready for the next sheet.
    assert 'name="serial" value=' not in second.content.decode().split("Awaiting your entry")[0]


def test_the_same_officer_cannot_enter_a_sheet_twice(client, budget_round, officers):
    enter(client, officers[0], budget_round)
    response = enter(client, officers[0], budget_round)
    assert response.status_code == 400
    assert "You already entered this sheet; another officer must enter it too." in (
        response.content.decode()
    )
    assert PaperBallotEntry.objects.count() == 1
    assert not factories.ballots_in_box(budget_round)


def test_a_disagreement_is_listed_and_resolved_by_a_third_entry(client, budget_round, officers):
    enter(client, officers[0], budget_round, projects=("p1",))
    response = enter(client, officers[1], budget_round, projects=("p2",))
    assert "the entries disagree" in response.content.decode()
    assert PaperBallotSheet.objects.get().status == "conflict"
    assert not factories.ballots_in_box(budget_round)

    client.force_login(officers[2])
    html = client.get(url(budget_round)).content.decode()
    conflicts = html.split('id="conflicts-heading"')[1]
    assert "Sheet S-001" in conflicts
    assert str(officers[0]) in conflicts
    assert str(officers[1]) in conflicts
    assert "p1 · Project" in conflicts
    assert "p2 · Project" in conflicts
    assert "Enter the resolving reading" in conflicts
    # The officers who disagreed cannot resolve it themselves.
    client.force_login(officers[0])
    html = client.get(url(budget_round)).content.decode()
    assert "You entered this sheet; another officer must resolve it." in html

    resolved = enter(client, officers[2], budget_round, projects=("p2",))
    assert "Sheet S-001 counted" in resolved.content.decode()
    assert PaperBallotSheet.objects.get().status == "counted"
    assert len(factories.ballots_in_box(budget_round)) == 1


def test_an_invalid_paper_ballot_is_refused_and_nothing_is_stored(client, budget_round, officers):
    response = enter(client, officers[0], budget_round, projects=("p1", "p2", "p4"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your choices cost 120,000.00 EUR, which is 20,000.00 EUR over the budget" in html
    assert 'id="id_projects-error"' in html
    assert 'value="S-001"' in html  # what the officer typed is kept
    assert not PaperBallotSheet.objects.exists()
    assert not PaperBallotEntry.objects.exists()


def test_a_voter_who_voted_online_is_not_counted_twice(client, budget_round, officers):
    voter = factories.UserFactory(email="online@example.org")
    voting.ballot_cast(
        voter=voter,
        budget_round=budget_round,
        district_budget=budget_round.districts.get(key="city"),
        projects=["p3"],
    )
    enter(client, officers[0], budget_round, voter="online@example.org")
    response = enter(client, officers[1], budget_round, voter="online@example.org")
    html = response.content.decode()
    assert "is not counted: this voter has already voted" in html
    assert PaperBallotSheet.objects.get().status == "duplicate_voter"
    assert len(factories.ballots_in_box(budget_round)) == 1
    assert "Not counted: the voter had already voted" in html


def test_progress_numbers(client, budget_round, officers):
    enter(client, officers[0], budget_round, serial="A")
    enter(client, officers[1], budget_round, serial="A")
    enter(client, officers[0], budget_round, serial="B", projects=("p1",))
    enter(client, officers[1], budget_round, serial="B", projects=("p3",))
    enter(client, officers[0], budget_round, serial="C")
    client.force_login(officers[2])
    html = client.get(url(budget_round)).content.decode()
    assert '<span class="stat__value" data-live-key="paper.sheets">3</span>' in html
    assert '<span class="stat__value" data-live-key="paper.agreed">1</span>' in html
    assert '<span class="stat__value" data-live-key="paper.disputed">1</span>' in html
    assert '<span class="stat__value" data-live-key="paper.awaiting_second_entry">1</span>' in html


def test_entry_is_closed_outside_voting_and_tallying(client, riga, officers):
    budget_round = factories.results_round(organisation=riga)
    client.force_login(officers[0])
    html = client.get(url(budget_round)).content.decode()
    assert "Paper ballots are entered during voting and tallying" in html
    response = enter(client, officers[0], budget_round)
    assert response.status_code == 400
    assert not PaperBallotSheet.objects.exists()


def test_points_ballots_have_a_number_per_project(client, riga, officers):
    budget_round = factories.voting_round(
        organisation=riga, ballot_format="cumulative", points_budget=10
    )
    client.force_login(officers[0])
    pks = {p.external_id: p.pk for p in budget_round.projects.all()}
    html = client.get(url(budget_round)).content.decode()
    assert html.count('type="number"') == 4
    response = client.post(
        url(budget_round),
        {"district": "city", "serial": "P1", "voter_reference": "x", f"p_{pks['p1']}": "11"},
    )
    assert response.status_code == 400
    response = client.post(
        url(budget_round),
        {
            "district": "city",
            "serial": "P1",
            "voter_reference": "x",
            f"p_{pks['p1']}": "6",
            f"p_{pks['p2']}": "5",
        },
    )
    assert response.status_code == 400
    assert "You gave 11 points; you have 10." in response.content.decode()
    response = client.post(
        url(budget_round),
        {
            "district": "city",
            "serial": "P1",
            "voter_reference": "x",
            f"p_{pks['p1']}": "6",
            f"p_{pks['p2']}": "4",
        },
    )
    assert response.status_code == 302
    _projects, points = paper.paper_entry_choices(PaperBallotEntry.objects.get())
    assert points == (6, 4)


def test_rankings_refuse_a_rank_given_twice(client, riga, officers):
    budget_round = factories.voting_round(organisation=riga, ballot_format="ordinal", max_rank=3)
    pks = {p.external_id: p.pk for p in budget_round.projects.all()}
    client.force_login(officers[0])
    response = client.post(
        url(budget_round),
        {
            "district": "city",
            "serial": "R1",
            "voter_reference": "x",
            f"p_{pks['p1']}": "1",
            f"p_{pks['p2']}": "1",
        },
    )
    assert response.status_code == 400
    assert "Rank 1 is given twice." in response.content.decode()
    response = client.post(
        url(budget_round),
        {
            "district": "city",
            "serial": "R1",
            "voter_reference": "x",
            f"p_{pks['p3']}": "1",
            f"p_{pks['p1']}": "2",
        },
    )
    assert response.status_code == 302
    projects, _points = paper.paper_entry_choices(PaperBallotEntry.objects.get())
    assert projects == (pks["p3"], pks["p1"])


def test_the_page_costs_a_fixed_number_of_queries(
    client, budget_round, officers, django_assert_max_num_queries
):
    for number in range(15):
        enter(client, officers[0], budget_round, serial=f"W{number}")
        enter(client, officers[0], budget_round, serial=f"C{number}", projects=("p1",))
        enter(client, officers[1], budget_round, serial=f"C{number}", projects=("p2",))
    client.force_login(officers[2])
    with django_assert_max_num_queries(17):
        response = client.get(url(budget_round))
    assert response.content.decode().count('class="panel paper-conflict"') == 15


def test_paper_page_speaks_polish(client, budget_round, officers):
    client.force_login(officers[0])
    response = client.post(url(budget_round), {"district": "city"}, HTTP_ACCEPT_LANGUAGE="pl")
    html = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="pl"' in html
    assert "To pole jest wymagane." in html


def test_choose_one_ballots_have_one_radio_per_project(client, riga, officers):
    budget_round = factories.voting_round(organisation=riga, ballot_format="choose-1")
    client.force_login(officers[0])
    html = client.get(url(budget_round)).content.decode()
    assert html.count('type="radio" name="projects"') == 4
    response = client.post(
        url(budget_round),
        {"district": "city", "serial": "C1", "voter_reference": "x", "projects": "p2"},
    )
    assert response.status_code == 302
    projects, _points = paper.paper_entry_choices(PaperBallotEntry.objects.get())
    assert projects == (budget_round.projects.get(external_id="p2").pk,)


def test_each_district_has_its_own_sheets(client, riga, officers):
    budget_round = factories.district_voting_round(organisation=riga)
    client.force_login(officers[0])
    html = client.get(url(budget_round), {"district": "north"}).content.decode()
    assert "Enter a sheet: North" in html
    assert 'name="projects" value="north-1"' in html
    assert 'name="projects" value="city-1"' not in html
    assert '?district=south"' in html
    response = client.post(
        url(budget_round),
        {"district": "north", "serial": "N1", "voter_reference": "x", "projects": ["north-2"]},
    )
    assert response.status_code == 302
    assert PaperBallotSheet.objects.get().district_budget.key == "north"


def test_a_sheet_for_an_unknown_district_is_refused(client, budget_round, officers):
    client.force_login(officers[0])
    response = client.post(
        url(budget_round),
        {"district": "atlantis", "serial": "X1", "voter_reference": "x", "projects": ["p1"]},
    )
    assert response.status_code == 400
    assert "This round has no district atlantis." in response.content.decode()
    assert not PaperBallotSheet.objects.exists()


def test_opening_a_waiting_sheet_fills_its_number_and_focuses_the_voter(
    client, budget_round, officers
):
    enter(client, officers[0], budget_round, serial="W-7")
    client.force_login(officers[1])
    html = client.get(url(budget_round), {"district": "city", "serial": "W-7"}).content.decode()
    serial = html.split('name="serial"')[1].split(">")[0]
    voter = html.split('name="voter_reference"')[1].split(">")[0]
    assert 'value="W-7"' in serial
    assert "autofocus" not in serial
    assert "autofocus" in voter


def test_sheet_messages_follow_the_readers_language(client, budget_round, officers):
    client.force_login(officers[0])
    response = client.post(
        url(budget_round),
        {"district": "city", "serial": "L1", "voter_reference": "x", "projects": ["p1"]},
        HTTP_ACCEPT_LANGUAGE="pl",
        follow=True,
    )
    assert response.status_code == 200
    assert '<html lang="pl"' in response.content.decode()
