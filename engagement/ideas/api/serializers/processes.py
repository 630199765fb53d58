"""Serializers of the process endpoints: settings in, a process with its phase out."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from budgeting.ports import BudgetRound
from engagement.http.api import Input
from engagement.ideas import permissions as rules
from engagement.ideas.inputs import field_error
from engagement.ideas.models import CollectionPhase, ParticipatoryProcess, ProcessKind
from engagement.people.models import Organisation


class ProcessOutput(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    round = serializers.SlugRelatedField(
        source="budget_round",
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="Budget processes: the round (its slug in /api/v1/rounds/).",
    )
    phase = serializers.SerializerMethodField(
        help_text="The phase in force: the round's phase for budget processes; draft, "
        "collecting, reviewing or closed for idea collections (dates may have moved it)."
    )
    open_actions = serializers.SerializerMethodField(
        help_text="What the phase allows now: submit, withdraw, discuss, review, merge."
    )
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    currency = serializers.CharField(read_only=True)
    idea_count = serializers.IntegerField(read_only=True, help_text="Public ideas.")

    class Meta:
        model = ParticipatoryProcess
        fields = [
            "slug",
            "title",
            "description",
            "kind",
            "organisation",
            "round",
            "phase",
            "open_actions",
            "categories",
            "currency",
            "collecting_from",
            "reviewing_from",
            "closes_at",
            "idea_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_phase(self, obj: ParticipatoryProcess) -> str:
        return rules.current_phase(obj)

    def get_open_actions(self, obj: ParticipatoryProcess) -> list[str]:
        return rules.open_actions(obj)


class ProcessListQuery(serializers.Serializer):
    organisation = serializers.SlugField(max_length=80, required=False, help_text="Its slug.")
    kind = serializers.ChoiceField(choices=ProcessKind.choices, required=False)


class ProcessSettingsInput(Input):
    schema_rules = {"properties": {"categories": {"uniqueItems": True}}}

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, max_length=20_000, required=False)
    categories = serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=50, required=False
    )
    collecting_from = serializers.DateTimeField(allow_null=True, required=False)
    reviewing_from = serializers.DateTimeField(allow_null=True, required=False)
    closes_at = serializers.DateTimeField(allow_null=True, required=False)


_ABSENT_OR_NULL = {"not": {"type": "string"}}  # the fields are strings or null


class ProcessCreateInput(ProcessSettingsInput):
    # What the model checks of the kinds (ParticipatoryProcess.clean), for the schema.
    schema_rules = {
        **ProcessSettingsInput.schema_rules,
        "oneOf": [
            {
                "description": "A budget process: the idea phase of a round, on its dates.",
                "properties": {
                    "kind": {"enum": [ProcessKind.BUDGET]},
                    "round": {"type": "string"},
                    "collecting_from": _ABSENT_OR_NULL,
                    "reviewing_from": _ABSENT_OR_NULL,
                    "closes_at": _ABSENT_OR_NULL,
                },
                "required": ["round"],
            },
            {
                "description": "An idea collection, with a title and its own dates.",
                "properties": {"kind": {"enum": [ProcessKind.IDEAS]}, "round": _ABSENT_OR_NULL},
                "required": ["title"],
            },
        ],
    }

    organisation = serializers.SlugField(max_length=80, help_text="The organisation's slug.")
    kind = serializers.ChoiceField(choices=ProcessKind.choices)
    slug = serializers.SlugField(max_length=120)
    title = serializers.CharField(max_length=200, required=False)
    round = serializers.SlugField(
        max_length=120, required=False, allow_null=True, help_text="Budget processes: the round."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        organisation = Organisation.objects.filter(slug=attrs.pop("organisation")).first()
        if organisation is None:
            raise field_error("organisation", _("There is no such organisation."), "does_not_exist")
        attrs["organisation"] = organisation
        slug = attrs.pop("round", None)
        attrs["budget_round"] = None
        if slug:
            budget_round = BudgetRound.objects.filter(slug=slug, organisation=organisation).first()
            if budget_round is None:
                raise field_error(
                    "round", _("This organisation has no such round."), "does_not_exist"
                )
            attrs["budget_round"] = budget_round
        return attrs


class ProcessPhaseInput(Input):
    to_phase = serializers.ChoiceField(choices=CollectionPhase.choices)
