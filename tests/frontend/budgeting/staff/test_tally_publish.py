"""Tally preview with the comparison of rules, and publishing the results."""

from __future__ import annotations

import pytest

from budgeting.models import Ballot, BudgetRound, Project, TallyResult
from budgeting.services import reads
from tests import factories

pytestmark = pytest.mark.django_db

TALLY = "/staff/rounds/riga-2026/tally/"
PUBLISH = "/staff/rounds/riga-2026/publish/"


@pytest.fixture
def tallying_round(riga):
    """Budget 100 000; p1 40 000, p2 30 000, p3 20 000, p4 50 000. Six voters want p1 and
    p4, four want p2 and p3: most votes first funds p1 and p4; Equal Shares gives the four
    their share and funds p1 and p2."""
    budget_round = factories.voting_round(organisation=riga, slug="riga-2026", title="Rīga 2026")
    city = budget_round.districts.get()
    pk = {p.external_id: p.pk for p in budget_round.projects.all()}
    for _ in range(6):
        Ballot.objects.create(district_budget=city, projects=[pk["p1"], pk["p4"]], channel="online")
    for _ in range(4):
        Ballot.objects.create(district_budget=city, projects=[pk["p2"], pk["p3"]], channel="online")
    BudgetRound.objects.filter(pk=budget_round.pk).update(phase="tallying")
    budget_round.refresh_from_db()
    return budget_round


def funded_cells(html: str, project: str) -> str:
    """The row of ``project`` in the comparison table, from its header cell on."""
    start = html.index(f"({project})</span>")
    return html[start : html.index("</tr>", start)]


class TestTallyPreview:
    def test_before_voting_closes_the_preview_cannot_run(self, signed_in, riga_admin, riga_round):
        client = signed_in(riga_admin)
        html = client.get(TALLY).content.decode()
        assert "once voting has closed" in html
        response = client.post(TALLY)
        assert response.status_code == 400
        assert not TallyResult.objects.exists()

    def test_the_preview_compares_the_rules_project_by_project(
        self, signed_in, riga_admin, tallying_round
    ):
        client = signed_in(riga_admin)
        response = client.post(TALLY)
        assert response.status_code == 302
        html = client.get(TALLY).content.decode()
        assert "Every rule was run on the current ballots." in html
        for label in (
            "Most votes first (greedy)",
            "Method of Equal Shares (no completion)",
            "Method of Equal Shares with Add1 completion",
            "Equal Shares, leftover funds by votes",
        ):
            assert label in html
        assert "10 ballots, budget 100,000.00 EUR." in html
        # p1 is funded by every rule; p4 only by most-votes-first, p2 only by Equal Shares.
        assert "Not funded" not in funded_cells(html, "p1")
        p4 = funded_cells(html, "p4")
        assert "Funded by: Most votes first (greedy)." in p4
        assert "Not funded by: Method of Equal Shares (no completion)" in p4
        p2 = funded_cells(html, "p2")
        assert "Method of Equal Shares (no completion)" in p2.split("Not funded by")[0]
        assert "Most votes first (greedy)" in p2.split("Not funded by")[1]
        assert "staff-compare-table__differs" in html
        assert "90,000.00 EUR / 100,000.00 EUR" in html  # greedy spends p1 + p4
        assert "70,000.00 EUR / 100,000.00 EUR" in html  # MES spends p1 + p2

    def test_the_table_matches_the_api_comparison_for_every_rule(
        self, signed_in, riga_admin, tallying_round
    ):
        client = signed_in(riga_admin)
        client.post(TALLY)
        html = client.get(TALLY).content.decode()
        (district,) = reads.rule_comparison(riga_admin, tallying_round)
        outcomes = {r["rule"]: set(r["selected"]) for r in district["rules"]}
        assert outcomes["greedy"] == {"p1", "p4"}
        assert outcomes["mes"] == {"p1", "p2"}
        for project in ("p1", "p2", "p3", "p4"):
            row = funded_cells(html, project)
            cells = row.split("<td")[3:]  # after cost and support
            shown = [("badge--ok" in cell) for cell in cells]
            expected = [project in outcomes[rule] for rule in outcomes]
            assert shown == expected, project

    def test_the_explanation_of_the_round_rule_is_shown(
        self, signed_in, riga_admin, tallying_round
    ):
        client = signed_in(riga_admin)
        client.post(TALLY)
        html = client.get(TALLY).content.decode()
        assert "Why each project is funded or not under “Most votes first (greedy)”" in html
        assert "Funded at step 1." in html
        assert (
            "Not funded: at step 3 it cost 30,000.00 EUR and only 10,000.00 EUR was left." in html
        )

    def test_a_preview_publishes_nothing(self, signed_in, riga_admin, tallying_round):
        signed_in(riga_admin).post(TALLY)
        assert TallyResult.objects.exists()
        assert not TallyResult.objects.filter(published_at__isnull=False).exists()
        assert set(Project.objects.values_list("status", flat=True)) == {"on_ballot"}

    def test_big_rounds_show_a_pending_state_until_the_runs_are_stored(
        self, signed_in, riga_admin, tallying_round, settings, monkeypatch
    ):
        from budgeting import tasks
        from frontend.budgeting.views.staff import tally as staff

        queued = []
        monkeypatch.setattr(staff, "BACKGROUND_TALLY_BALLOTS", 5)
        monkeypatch.setattr(tasks.tally_round, "delay", lambda *args: queued.append(args))
        settings.CELERY_TASK_ALWAYS_EAGER = False
        client = signed_in(riga_admin)
        client.post(TALLY)
        assert sorted(rule for _pk, rule in queued) == sorted(
            ["greedy", "mes", "equal-shares", "equal-shares-greedy"]
        )
        html = client.get(TALLY).content.decode()
        assert "being computed in the background" in html
        assert '<meta http-equiv="refresh" content="10">' in html
        for _pk, rule in queued:  # the worker runs them
            tasks.tally_round(tallying_round.pk, rule)
        html = client.get(TALLY).content.decode()
        assert "being computed in the background" not in html
        assert "Funded by: Most votes first (greedy)." in html


class TestPublish:
    def test_publishing_needs_the_confirmation(self, signed_in, riga_admin, tallying_round):
        client = signed_in(riga_admin)
        html = client.get(PUBLISH).content.decode()
        assert "Publishing cannot be undone" in html
        response = client.post(PUBLISH, {})
        assert response.status_code == 400
        assert "Tick the box to confirm publication." in response.content.decode()
        assert not TallyResult.objects.filter(published_at__isnull=False).exists()

    def test_publishing_makes_the_results_public(
        self, signed_in, client, riga_admin, tallying_round
    ):
        admin = signed_in(riga_admin)
        response = admin.post(PUBLISH, {"confirm": "on"})
        assert response.status_code == 302
        html = admin.get(PUBLISH).content.decode()
        assert "The results are published." in html
        assert 'href="/rounds/riga-2026/results/"' in html
        published = TallyResult.objects.get(published_at__isnull=False)
        assert (published.rule, sorted(published.selected)) == ("greedy", ["p1", "p4"])
        statuses = dict(Project.objects.values_list("external_id", "status"))
        assert statuses == {
            "p1": "selected",
            "p2": "not_selected",
            "p3": "not_selected",
            "p4": "selected",
        }
        public = signed_in(None).get("/rounds/riga-2026/results/")
        assert public.status_code == 200
        public_html = public.content.decode()
        p1, p4 = (Project.objects.get(external_id=e).title for e in ("p1", "p4"))
        assert p1 in public_html
        assert p4 in public_html

    def test_publishing_outside_tallying_is_refused(self, signed_in, riga_admin, riga_round):
        client = signed_in(riga_admin)
        assert (
            "Results are published from the tallying phase." in client.get(PUBLISH).content.decode()
        )
        response = client.post(PUBLISH, {"confirm": "on"})
        assert response.status_code == 400
        assert not TallyResult.objects.exists()


def test_tally_page_queries_do_not_grow_with_projects(
    signed_in, riga, riga_admin, django_assert_max_num_queries
):
    costs = tuple(1_000_00 * n for n in range(1, 31))
    budget_round = factories.voting_round(organisation=riga, slug="big", costs=costs)
    city = budget_round.districts.get()
    pks = list(budget_round.projects.values_list("pk", flat=True))
    for start in range(10):
        Ballot.objects.create(
            district_budget=city, projects=pks[start : start + 5], channel="online"
        )
    BudgetRound.objects.filter(pk=budget_round.pk).update(phase="tallying")
    client = signed_in(riga_admin)
    client.post("/staff/rounds/big/tally/")
    with django_assert_max_num_queries(14):
        html = client.get("/staff/rounds/big/tally/").content.decode()
    assert html.count('<th scope="row">') >= 30
