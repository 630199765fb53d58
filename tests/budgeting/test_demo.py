"""The demo city's budget rounds: one open for voting, one finished with published results."""

import pytest
from django.core.management import call_command

from budgeting.models import Ballot, BudgetRound, Participation, Project, TallyResult
from budgeting.selectors import rounds as selectors

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (BudgetRound, Project, Participation, Ballot, TallyResult)
    }


def test_demo_rounds_are_complete_and_seeding_twice_changes_nothing():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first

    voting = BudgetRound.objects.get(slug="demo-city-2027")
    assert voting.phase == "voting"
    assert voting.districts.count() == 5
    assert voting.projects.filter(status="on_ballot").count() >= 20
    assert voting.participations.count() > 0
    assert voting.schedule.filter(phase="tallying", done_at__isnull=True).exists()

    finished = BudgetRound.objects.get(slug="demo-city-2026")
    assert finished.phase == "results"
    published = selectors.published_results(finished)
    assert len(published) == finished.districts.count()
    for result in published:
        assert result.selected
        assert result.spent <= result.budget
        assert set(result.explanations) == set(
            finished.projects.filter(district_budget=result.district_budget).values_list(
                "external_id", flat=True
            )
        )
    assert finished.projects.filter(status="selected").count() == sum(
        len(r.selected) for r in published
    )
