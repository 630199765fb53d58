"""The phase machine of a budget round (pure), against a table written out by hand.

DESIGN.md §3: draft → information → needs assessment → proposals → review → voting → tallying →
results → implementation → evaluation → closed. Information, needs assessment, proposals and
review may be skipped; voting, tallying and results may not. Each phase enables a fixed set of
actions.
"""

from __future__ import annotations

import itertools

import pytest

from budgeting import phases
from budgeting.models import Phase
from budgeting.phases import ENABLED, ORDER, TRANSITIONS, Action, allows, can_move, is_after

# Every move staff may make, and no other.
ALLOWED_MOVES = {
    ("draft", "information"),
    ("draft", "needs_assessment"),
    ("draft", "proposals"),
    ("draft", "review"),
    ("draft", "voting"),
    ("information", "needs_assessment"),
    ("information", "proposals"),
    ("information", "review"),
    ("information", "voting"),
    ("needs_assessment", "proposals"),
    ("needs_assessment", "review"),
    ("needs_assessment", "voting"),
    ("proposals", "review"),
    ("review", "voting"),
    ("voting", "tallying"),
    ("tallying", "results"),
    ("results", "implementation"),
    ("results", "closed"),
    ("implementation", "evaluation"),
    ("implementation", "closed"),
    ("evaluation", "closed"),
}

A = Action
DESIGN = {A.CONFIGURE, A.EDIT_PROJECTS, A.REVIEW_PROJECTS}
EXPECTED_ENABLED = {
    "draft": DESIGN,
    "information": DESIGN,
    "needs_assessment": DESIGN,
    "proposals": DESIGN,
    "review": DESIGN,
    "voting": {A.VOTE, A.ENTER_PAPER},
    "tallying": {A.ENTER_PAPER, A.TALLY, A.PUBLISH},
    "results": {A.TRACK_IMPLEMENTATION},
    "implementation": {A.TRACK_IMPLEMENTATION},
    "evaluation": {A.TRACK_IMPLEMENTATION},
    "closed": set(),
}

MANDATORY = ("voting", "tallying", "results")


def test_order_is_the_models_phase_order():
    assert tuple(Phase.values) == ORDER


@pytest.mark.parametrize(
    ("current", "target"),
    list(itertools.product(ORDER, ORDER)),
    ids=[f"{a}->{b}" for a, b in itertools.product(ORDER, ORDER)],
)
def test_every_pair_of_phases(current, target):
    expected = (current, target) in ALLOWED_MOVES
    assert can_move(current, target) is expected
    assert (target in TRANSITIONS[current]) is expected


def test_transitions_name_every_phase_and_nothing_else():
    assert set(TRANSITIONS) == set(ORDER)
    assert {t for targets in TRANSITIONS.values() for t in targets} <= set(ORDER)


class TestCannotMove:
    @pytest.mark.parametrize("phase", ORDER)
    def test_to_the_same_phase(self, phase):
        assert not can_move(phase, phase)

    @pytest.mark.parametrize(("current", "target"), list(itertools.combinations(ORDER, 2)))
    def test_backwards(self, current, target):
        assert not can_move(target, current)

    @pytest.mark.parametrize(
        ("current", "target"), [(a, b) for a, targets in TRANSITIONS.items() for b in targets]
    )
    def test_past_voting_tallying_or_results(self, current, target):
        skipped = ORDER[ORDER.index(current) + 1 : ORDER.index(target)]
        assert not set(skipped) & set(MANDATORY)

    def test_out_of_closed(self):
        assert TRANSITIONS["closed"] == ()
        assert not any(can_move("closed", phase) for phase in ORDER)

    @pytest.mark.parametrize(("current", "target"), [("nonsense", "voting"), ("draft", "nope")])
    def test_from_or_to_an_unknown_phase(self, current, target):
        assert not can_move(current, target)


def test_every_phase_is_reachable_from_draft_and_reaches_closed():
    reachable = {"draft"}
    frontier = ["draft"]
    while frontier:
        for target in TRANSITIONS[frontier.pop()]:
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(ORDER)
    for phase in ORDER[:-1]:
        assert TRANSITIONS[phase], f"{phase} is a dead end"


@pytest.mark.parametrize(
    ("phase", "action"),
    list(itertools.product(ORDER, Action)),
    ids=[f"{p}:{a.value}" for p, a in itertools.product(ORDER, Action)],
)
def test_each_phase_enables_exactly_its_actions(phase, action):
    assert allows(phase, action) is (action in EXPECTED_ENABLED[phase])


def test_enabled_lists_every_phase():
    assert set(ENABLED) == set(ORDER)


class TestWhatPhasesAllow:
    def test_votes_are_cast_only_in_voting(self):
        assert [p for p in ORDER if allows(p, A.VOTE)] == ["voting"]

    def test_paper_ballots_are_entered_in_voting_and_tallying_only(self):
        assert [p for p in ORDER if allows(p, A.ENTER_PAPER)] == ["voting", "tallying"]

    def test_nothing_that_changes_how_votes_count_after_voting_opens(self):
        for phase in ORDER[ORDER.index("voting") :]:
            assert not allows(phase, A.CONFIGURE)
            assert not allows(phase, A.EDIT_PROJECTS)
            assert not allows(phase, A.REVIEW_PROJECTS)

    def test_tally_and_publish_only_once_voting_closed(self):
        assert [p for p in ORDER if allows(p, A.TALLY)] == ["tallying"]
        assert [p for p in ORDER if allows(p, A.PUBLISH)] == ["tallying"]

    def test_closed_allows_nothing(self):
        assert not any(allows("closed", action) for action in Action)


@pytest.mark.parametrize(("later", "earlier"), list(itertools.combinations(ORDER[::-1], 2)))
def test_is_after_follows_the_order(later, earlier):
    assert is_after(later, earlier)
    assert not is_after(earlier, later)


def test_is_after_is_strict():
    assert not any(phases.is_after(phase, phase) for phase in ORDER)


class TestNeedsAssessment:
    """The optional step between information and proposals that shows the needs survey."""

    def test_comes_after_information_and_before_proposals(self):
        assert ORDER.index("information") < ORDER.index("needs_assessment")
        assert ORDER.index("needs_assessment") < ORDER.index("proposals")

    def test_cannot_be_entered_once_proposals_opened(self):
        for phase in ORDER[ORDER.index("proposals") :]:
            assert not can_move(phase, "needs_assessment")

    def test_leads_on_to_proposals_review_or_voting_only(self):
        assert TRANSITIONS["needs_assessment"] == ("proposals", "review", "voting")

    def test_may_be_skipped(self):
        assert can_move("information", "proposals")
        assert can_move("draft", "proposals")

    def test_the_round_can_still_be_designed(self):
        assert allows("needs_assessment", A.CONFIGURE)
        assert allows("needs_assessment", A.EDIT_PROJECTS)
        assert not allows("needs_assessment", A.VOTE)
