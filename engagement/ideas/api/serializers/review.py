"""Serializers of the review: a decision (amounts to minor units) and a merge."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from engagement.http.api import Input
from engagement.http.fields import AmountInput, amount_to_minor
from engagement.ideas.models import IdeaStatus, ParticipatoryProcess
from engagement.ideas.services.checks import NOTE_MAX


class ReviewInput(Input):
    decision = serializers.ChoiceField(
        choices=[
            (IdeaStatus.UNDER_REVIEW, IdeaStatus.UNDER_REVIEW.label),
            (IdeaStatus.ACCEPTED, IdeaStatus.ACCEPTED.label),
            (IdeaStatus.REJECTED, IdeaStatus.REJECTED.label),
        ]
    )
    cost = AmountInput(
        required=False,
        allow_null=True,
        help_text="The administration's cost estimate (needed to accept into a budget).",
    )
    public_reason = serializers.CharField(max_length=NOTE_MAX, allow_blank=True, required=False)
    district = serializers.SlugField(
        max_length=80,
        required=False,
        allow_null=True,
        help_text="Budget processes: the round's district budget key for the project "
        "(default: the idea's district, else city-wide).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        process: ParticipatoryProcess = self.context["process"]
        if attrs.get("cost") is not None:
            attrs["cost"] = amount_to_minor(attrs["cost"], process.currency, "cost")
        return attrs


class MergeInput(Input):
    into = serializers.IntegerField(min_value=1, help_text="The idea this one duplicates.")
    public_reason = serializers.CharField(max_length=NOTE_MAX, allow_blank=True, required=False)
