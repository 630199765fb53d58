"""A budget process while its round asks residents what they need (the needs assessment)."""

from __future__ import annotations

import pytest

from budgeting.models import Phase
from engagement.ideas import phases as idea_phases
from frontend.ideas.views.processes import phase_steps, round_state
from tests import factories

pytestmark = pytest.mark.django_db


def test_no_ideas_may_be_submitted_or_discussed_yet():
    for action in idea_phases.Action:
        assert not idea_phases.allows("budget", "needs_assessment", action)


def test_the_round_counts_as_open_for_residents():
    assert round_state(Phase.NEEDS_ASSESSMENT) == "open"


def test_the_process_names_the_step_while_in_it(riga):
    process = factories.budget_process(organisation=riga, phase="needs_assessment")
    steps = phase_steps(process)
    current = [s for s in steps if s.state == "current"]
    assert [(s.key, s.label) for s in current] == [("needs_assessment", "Needs assessment")]
    assert [s.key for s in steps][:3] == ["information", "needs_assessment", "proposals"]


def test_a_process_that_skipped_it_does_not_list_it(riga):
    process = factories.budget_process(organisation=riga, phase="proposals")
    assert "needs_assessment" not in [s.key for s in phase_steps(process)]
