"""What each phase allows, and how dates move an idea collection. Plain Python, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from budgeting import phases as round_phases
from engagement.ideas import phases
from engagement.ideas.phases import Action

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
BEFORE = NOW - timedelta(days=1)
AFTER = NOW + timedelta(days=1)


class TestCollectionPhaseFromDates:
    def test_a_draft_without_dates_stays_a_draft(self):
        assert phases.collection_phase("draft", NOW) == "draft"

    def test_a_future_start_keeps_it_in_draft(self):
        assert phases.collection_phase("draft", NOW, collecting_from=AFTER) == "draft"

    def test_the_start_date_opens_it_by_itself(self):
        assert phases.collection_phase("draft", NOW, collecting_from=NOW) == "collecting"

    def test_later_dates_move_it_further(self):
        dates = {"collecting_from": BEFORE - timedelta(days=9), "reviewing_from": BEFORE}
        assert phases.collection_phase("draft", NOW, **dates) == "reviewing"
        assert phases.collection_phase("collecting", NOW, **dates, closes_at=NOW) == "closed"

    def test_dates_never_move_it_back(self):
        assert phases.collection_phase("closed", NOW, collecting_from=BEFORE) == "closed"
        assert phases.collection_phase("reviewing", NOW, reviewing_from=AFTER) == "reviewing"


def test_staff_only_move_collections_forward():
    assert phases.can_move_collection("draft", "collecting")
    assert phases.can_move_collection("collecting", "closed")
    assert not phases.can_move_collection("reviewing", "collecting")
    assert not phases.can_move_collection("closed", "draft")
    assert not phases.can_move_collection("collecting", "collecting")


# What each phase enables. A budget process follows its round's phase.
BUDGET = {
    "proposals": {Action.SUBMIT, Action.WITHDRAW, Action.DISCUSS, Action.MERGE},
    "review": {Action.WITHDRAW, Action.DISCUSS, Action.REVIEW, Action.MERGE},
}
COLLECTION = {
    "collecting": {Action.SUBMIT, Action.WITHDRAW, Action.DISCUSS, Action.MERGE},
    "reviewing": {Action.WITHDRAW, Action.DISCUSS, Action.REVIEW, Action.MERGE},
}


@pytest.mark.parametrize("phase", round_phases.ORDER)
@pytest.mark.parametrize("action", list(Action))
def test_budget_phases(phase, action):
    assert phases.allows("budget", phase, action) is (action in BUDGET.get(phase, set()))


@pytest.mark.parametrize("phase", phases.COLLECTION_ORDER)
@pytest.mark.parametrize("action", list(Action))
def test_collection_phases(phase, action):
    assert phases.allows("ideas", phase, action) is (action in COLLECTION.get(phase, set()))


def test_every_round_phase_is_known():
    assert set(phases.BUDGET_ENABLED) == set(round_phases.ORDER)


def test_only_drafts_are_private():
    assert not phases.is_public("ideas", "draft")
    assert not phases.is_public("budget", "draft")
    assert phases.is_public("ideas", "closed")
    assert phases.is_public("budget", "information")
