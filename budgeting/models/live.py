"""What the live counters keep (budgeting/live/counts.py, budgeting/services/ballot_box.py).

Turnout is read from the participation table itself (``id > last seen``); a withdrawn
participation is no longer there, so the withdrawal appends a ``ParticipationRemoval``.

Vote counts during voting never follow single ballots (docs/budgeting.md, "Ballot secrecy"):
a ``LiveTally`` per district budget moves only when at least ``KOPA_BALLOT_BATCH`` ballots
were cast, changed or withdrawn since it last moved. A withdrawn ballot that the tally
already includes is kept sealed as a ``WithdrawnBallot`` until the tally next moves.
"""

from __future__ import annotations

from django.db import models

__all__ = ["LiveTally", "ParticipationRemoval", "WithdrawnBallot"]


class ParticipationRemoval(models.Model):
    """A participation was removed (a withdrawn ballot). Counters subtract it."""

    round = models.ForeignKey("budgeting.BudgetRound", on_delete=models.CASCADE, related_name="+")
    district_budget = models.ForeignKey(
        "budgeting.DistrictBudget", on_delete=models.CASCADE, related_name="+"
    )
    participation_id = models.BigIntegerField()
    voter_key = models.CharField(max_length=100)
    channel = models.CharField(max_length=10)
    cast_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Removal of participation {self.participation_id}"


class LiveTally(models.Model):
    """The vote counts of one district budget as last published during voting."""

    district_budget = models.OneToOneField(
        "budgeting.DistrictBudget", on_delete=models.CASCADE, related_name="live_tally"
    )
    ballots = models.PositiveIntegerField(default=0)
    support = models.JSONField(default=dict, help_text="Support per project primary key.")
    batches = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Live tally of {self.district_budget_id} ({self.ballots} ballots)"


class WithdrawnBallot(models.Model):
    """A withdrawn ballot the live tally still includes, sealed; gone when the tally moves."""

    district_budget = models.ForeignKey(
        "budgeting.DistrictBudget", on_delete=models.CASCADE, related_name="+"
    )
    sealed_ballot = models.BinaryField()

    def __str__(self) -> str:
        return f"Withdrawn ballot in {self.district_budget_id}"
