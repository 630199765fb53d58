"""Append-only logs for the live counters (budgeting/live_counts.py, docs/realtime.md).

Casts are read from the ballot and participation tables themselves (``id > last seen``);
what a change or a withdrawal took away is not visible there any more, so the services that
change or remove a ballot or a participation append one row here in the same transaction.
Ballot and participation stay in separate logs, like their tables: nothing here links a
voter to what they voted.
"""

from __future__ import annotations

from django.db import models

__all__ = ["BallotChange", "ParticipationRemoval"]


class BallotChange(models.Model):
    """A ballot's content was replaced (``added_*`` set) or the ballot withdrawn (null)."""

    district_budget = models.ForeignKey(
        "budgeting.DistrictBudget", on_delete=models.CASCADE, related_name="+"
    )
    ballot_id = models.BigIntegerField()
    removed_projects = models.JSONField()
    removed_points = models.JSONField(null=True, blank=True)
    added_projects = models.JSONField(null=True, blank=True)
    added_points = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Change of ballot {self.ballot_id}"


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
