"""Input and output serializers of the budgeting API.

Inputs check shape and turn references into objects (district keys into district budgets,
decimal amounts into minor units); the services decide everything else. Outputs describe
exactly what is returned. Serializers that show money need ``context["currency"]``; inputs
that refer to a round's districts need ``context["round"]``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from budgeting import inputs, ports
from budgeting.inputs import (
    BIG,
    DESCRIPTION_MAX,
    LARGE,
    REASON_MAX,
    SMALL,
    WORD_MAX_LENGTH,
    WORDS_MAX,
)
from budgeting.messages import RECEIPT_FORMAT_MESSAGE
from budgeting.models import (
    BallotFormat,
    BudgetRound,
    Channel,
    DistrictBudget,
    OutcomeRule,
    PaperBallotSheet,
    PaperSheetStatus,
    Phase,
    PhaseSchedule,
    Project,
    TieBreak,
)
from budgeting.selectors.outcomes import project_outcomes
from budgeting.services import rounds, voting
from engagement.content.languages import language_codes, validate_translations
from engagement.http.api import Input
from engagement.http.fields import (
    AmountDisplay,
    AmountInput,
    LatitudeInput,
    LongitudeInput,
    amount_to_minor,
)
from engagement.money import from_minor
from engagement.people.models import Organisation


def district_budget_of(budget_round: BudgetRound, key: str, field: str = "district") -> Any:
    """The round's district budget called ``key``, or a field error (code unknown_district)."""
    district_budget = voting.district_budgets(budget_round).get(key)
    if district_budget is None:
        raise serializers.ValidationError(
            {
                field: [
                    serializers.ErrorDetail(
                        str(_("This round has no district %(key)s.") % {"key": key}),
                        code="unknown_district",
                    )
                ]
            }
        )
    return district_budget


_TRANSLATION = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "pattern": r"^[^\x00]*$"},
        "description": {"type": "string", "pattern": r"^[^\x00]*$"},
    },
    "additionalProperties": False,
}


@extend_schema_field(
    {
        "type": "object",
        "properties": {code: _TRANSLATION for code in sorted(language_codes())},
        "additionalProperties": False,
        "example": {"pl": {"title": "Budżet obywatelski", "description": "…"}},
        "description": "Title and description in other languages, keyed by language code.",
    }
)
class TranslationsField(serializers.JSONField):
    """Staff translations of title and description, checked as the model checks them, and
    without NUL characters (as every text field of the API)."""

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        try:
            validate_translations(value, fields=("title", "description"))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                [serializers.ErrorDetail(m, code="invalid_translations") for m in exc.messages]
            ) from None
        if any("\x00" in text for entry in value.values() for text in entry.values()):
            raise serializers.ValidationError(
                ProhibitNullCharactersValidator.message, code="null_characters_not_allowed"
            )
        return value


# --- rounds -------------------------------------------------------------------------------

# The settings staff may change, as one list (the services declare it).
ROUND_SETTINGS = list(rounds.ROUND_SETTINGS)


class RoundOutput(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = BudgetRound
        fields = [
            "slug",
            "title",
            "organisation",
            "phase",
            "phase_changed_at",
            "currency",
            *ROUND_SETTINGS,
        ]
        read_only_fields = fields


class DistrictBudgetOutput(serializers.ModelSerializer):
    district = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The organisation's district; null for the city-wide pot.",
    )
    budget_display = AmountDisplay(source="budget")

    class Meta:
        model = DistrictBudget
        fields = ["key", "name", "district", "budget", "budget_display"]
        read_only_fields = fields


class ScheduleOutput(serializers.ModelSerializer):
    class Meta:
        model = PhaseSchedule
        fields = ["phase", "starts_at", "done_at"]
        read_only_fields = fields


class RoundDetailOutput(RoundOutput):
    districts = DistrictBudgetOutput(many=True, read_only=True)
    schedule = ScheduleOutput(many=True, read_only=True)
    total_budget = serializers.SerializerMethodField()
    total_budget_display = serializers.SerializerMethodField()

    class Meta(RoundOutput.Meta):
        fields = [
            *RoundOutput.Meta.fields,
            "description",
            "translations",
            "districts",
            "total_budget",
            "total_budget_display",
            "schedule",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_total_budget(self, obj: BudgetRound) -> int:
        return sum(d.budget for d in obj.districts.all())

    @extend_schema_field({"type": "string", "format": "decimal", "example": "12500.00"})
    def get_total_budget_display(self, obj: BudgetRound) -> str:
        return str(from_minor(self.get_total_budget(obj), self.context["currency"]))


class RoundSettingsInput(Input):
    """Round settings staff may change while the round is being designed (all optional)."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(
        allow_blank=True, max_length=DESCRIPTION_MAX, required=False
    )
    translations = TranslationsField(required=False)
    ballot_format = serializers.ChoiceField(choices=BallotFormat.choices, required=False)
    min_projects = serializers.IntegerField(min_value=0, max_value=SMALL, required=False)
    max_projects = serializers.IntegerField(
        min_value=0, max_value=SMALL, allow_null=True, required=False
    )
    knapsack = serializers.BooleanField(required=False)
    min_spend_percent = serializers.IntegerField(
        min_value=0, max_value=100, allow_null=True, required=False
    )
    points_budget = serializers.IntegerField(
        min_value=0, max_value=LARGE, allow_null=True, required=False
    )
    max_points_per_project = serializers.IntegerField(
        min_value=0, max_value=LARGE, allow_null=True, required=False
    )
    max_rank = serializers.IntegerField(
        min_value=0, max_value=SMALL, allow_null=True, required=False
    )
    outcome_rule = serializers.ChoiceField(choices=OutcomeRule.choices, required=False)
    tie_break = serializers.ChoiceField(choices=TieBreak.choices, required=False)
    lottery_seed = serializers.IntegerField(
        min_value=-BIG - 1, max_value=BIG, allow_null=True, required=False
    )
    secret_ballot = serializers.BooleanField(required=False)
    live_counts_public = serializers.BooleanField(required=False)
    ballot_changes_allowed = serializers.BooleanField(required=False)
    one_district_per_voter = serializers.BooleanField(required=False)
    min_age = serializers.IntegerField(min_value=0, max_value=120, allow_null=True, required=False)
    residence_required = serializers.BooleanField(required=False)
    verified_email_required = serializers.BooleanField(required=False)


class DistrictBudgetInput(Input):
    district = serializers.SlugField(
        max_length=50,
        allow_null=True,
        help_text="Slug of one of the organisation's districts; null for the city-wide pot.",
    )
    budget = AmountInput()


class RoundCreateInput(RoundSettingsInput):
    # A round has money: a city-wide budget, district budgets, or both.
    schema_rules = {
        "anyOf": [
            {
                "required": ["citywide_budget"],
                "properties": {
                    "citywide_budget": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
                },
            },
            {
                "required": ["district_budgets"],
                "properties": {"district_budgets": {"type": "array", "minItems": 1}},
            },
        ]
    }

    organisation = serializers.SlugField(max_length=50, help_text="The organisation's slug.")
    slug = serializers.SlugField(max_length=120)
    title = serializers.CharField(max_length=200)
    citywide_budget = AmountInput(required=False, allow_null=True)
    district_budgets = DistrictBudgetInput(many=True, required=False, max_length=200)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Find the organisation and districts; convert amounts in its currency."""
        organisation = Organisation.objects.filter(slug=attrs["organisation"]).first()
        if organisation is None:
            raise serializers.ValidationError(
                {
                    "organisation": [
                        serializers.ErrorDetail(
                            str(_("There is no such organisation.")), code="does_not_exist"
                        )
                    ]
                }
            )
        citywide, pairs = inputs.round_budgets(
            organisation, attrs.pop("citywide_budget", None), attrs.pop("district_budgets", [])
        )
        attrs["organisation"] = organisation
        attrs["citywide_budget"] = citywide
        attrs["district_budgets"] = pairs
        return attrs


class PhaseInput(Input):
    to = serializers.ChoiceField(choices=Phase.choices, help_text="The phase to move to.")


class ScheduleInput(Input):
    phase = serializers.ChoiceField(choices=Phase.choices)
    starts_at = serializers.DateTimeField(
        allow_null=True, help_text="When the phase starts by itself; null removes the entry."
    )


# --- projects -----------------------------------------------------------------------------


class IdeaLinkOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    process = serializers.SlugField()


class ProjectOutput(serializers.ModelSerializer):
    id = serializers.CharField(source="external_id", read_only=True)
    cost_display = AmountDisplay(source="cost")
    district = serializers.CharField(source="district_budget.key", read_only=True)
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    targets = serializers.ListField(child=serializers.CharField(), read_only=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True, allow_null=True
    )
    support = serializers.SerializerMethodField(
        help_text="Votes (approval, choose-1), points (cumulative) or rank points (ordinal); "
        "null while counts are not public, or for projects not on the ballot."
    )
    idea = serializers.SerializerMethodField(
        help_text="The citizen idea this project came from, if any: {id, title, process}."
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "description",
            "translations",
            "cost",
            "cost_display",
            "district",
            "categories",
            "targets",
            "status",
            "public_reason",
            "latitude",
            "longitude",
            "support",
            "idea",
        ]
        read_only_fields = fields

    @extend_schema_field(IdeaLinkOutput(allow_null=True))
    def get_idea(self, obj: Project) -> dict[str, Any] | None:
        ideas = self.context.get("ideas")
        if ideas is None:  # a single project: one small query
            return ports.project_origins([obj.pk]).get(obj.pk)
        return ideas.get(obj.pk)

    def get_support(self, obj: Project) -> int | None:
        support = self.context.get("support")
        return None if support is None else support.get(obj.external_id)


class ProjectFieldsInput(Input):
    """A project's content, shared by creating (all required) and ``PATCH`` (partial)."""

    district = serializers.SlugField(max_length=80, help_text="Key of the district budget.")
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(
        allow_blank=True, max_length=DESCRIPTION_MAX, required=False, default=""
    )
    translations = TranslationsField(required=False, default=dict)
    cost = AmountInput()
    categories = serializers.ListField(
        child=serializers.CharField(max_length=WORD_MAX_LENGTH),
        max_length=WORDS_MAX,
        required=False,
        default=list,
    )
    targets = serializers.ListField(
        child=serializers.CharField(max_length=WORD_MAX_LENGTH),
        max_length=WORDS_MAX,
        required=False,
        default=list,
    )
    latitude = LatitudeInput(required=False, allow_null=True)
    longitude = LongitudeInput(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return inputs.project_fields(self.context["round"], attrs)


class ProjectCreateInput(ProjectFieldsInput):
    id = serializers.RegexField(
        r"^[\w.-]+$", max_length=120, help_text="The project's id in this round (e.g. p12)."
    )


class ProjectUpdateInput(ProjectFieldsInput):
    """Corrections to a project: always partial, only the fields sent change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class ProjectReviewInput(Input):
    feasible = serializers.BooleanField()
    cost = AmountInput(
        required=False, allow_null=True, help_text="The administration's own cost estimate."
    )
    public_reason = serializers.CharField(
        allow_blank=True, max_length=REASON_MAX, required=False, default=""
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("cost") is not None:
            attrs["cost"] = amount_to_minor(attrs["cost"], self.context["round"].currency, "cost")
        return attrs


# --- ballots ------------------------------------------------------------------------------


class _BallotContent(serializers.Serializer):
    projects = serializers.ListField(
        child=serializers.CharField(max_length=120),
        max_length=1000,
        allow_empty=True,
        help_text="Project ids; for rankings in order of preference.",
    )
    points = serializers.ListField(
        child=serializers.IntegerField(min_value=-LARGE, max_value=LARGE),
        max_length=1000,
        allow_null=True,
        required=False,
        default=None,
        help_text="Cumulative ballots: points per chosen project, parallel to projects.",
    )


class ReceiptCodeField(serializers.RegexField):
    """A receipt code as people copy it (``ABCD-EFGH-JKLM-NPQR``, spaces, lower case): 16
    letters and digits 2-7 in groups of four, returned in its printed form."""

    default_error_messages = {"invalid": RECEIPT_FORMAT_MESSAGE}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("trim_whitespace", False)  # the length and pattern are of the text sent
        super().__init__(voting.RECEIPT_PATTERN, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        value = super().run_validation(data)  # the length and pattern of what was sent
        if value is None:
            return None
        code = voting.parse_receipt(value)
        if code is None:
            self.fail("invalid")
        return code


class BallotCastInput(Input, _BallotContent):
    district = serializers.SlugField(max_length=80, help_text="Key of the district budget.")
    receipt = ReceiptCodeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Secret rounds: the receipt code of the ballot being changed.",
    )
    cast_key = serializers.RegexField(
        voting.CAST_KEY_PATTERN,
        required=False,
        allow_null=True,
        default=None,
        help_text="A name the client gives this cast (16-64 letters, digits, - and _), new "
        "for every ballot it sends. Sending the same request again with the same key — "
        "when the answer was lost — answers as the first time did, with the same receipt, "
        "and casts nothing more.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["district_budget"] = district_budget_of(self.context["round"], attrs.pop("district"))
        return attrs


class BallotWithdrawInput(Input):
    district = serializers.SlugField(max_length=80, help_text="Key of the district budget.")
    receipt = ReceiptCodeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Secret rounds: the receipt code of the ballot.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["district_budget"] = district_budget_of(self.context["round"], attrs.pop("district"))
        return attrs


class CastReceiptOutput(serializers.Serializer):
    receipt = serializers.CharField(
        help_text="Keep this code: it proves the ballot is counted (and, in secret rounds, "
        "is needed to change it)."
    )
    district = serializers.CharField()
    changed = serializers.BooleanField(help_text="True when an earlier ballot was replaced.")


class EligibilityErrorOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ParticipationOutput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    cast_at = serializers.DateTimeField()
    projects = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="What was voted; null in secret rounds.",
    )
    points = serializers.ListField(child=serializers.IntegerField(), allow_null=True)


class BallotDistrictOutput(serializers.Serializer):
    district = serializers.CharField()
    name = serializers.CharField()
    eligible = serializers.BooleanField()
    eligibility_errors = EligibilityErrorOutput(many=True)
    participation = ParticipationOutput(allow_null=True)


class BallotOverviewOutput(serializers.Serializer):
    round = serializers.CharField()
    voting_open = serializers.BooleanField()
    secret_ballot = serializers.BooleanField()
    ballot_changes_allowed = serializers.BooleanField()
    districts = BallotDistrictOutput(many=True)


class ReceiptInput(Input):
    receipt = ReceiptCodeField()


class ReceiptOutput(serializers.Serializer):
    counted = serializers.BooleanField()
    district = serializers.CharField(allow_null=True)


class ConflictOutput(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(
        choices=["already_voted", "voted_in_other_district", "voted_on_paper"]
    )


class NotEligibleOutput(serializers.Serializer):
    """403: not eligible (``code`` ``not_eligible`` with the ``reasons``), or refused before
    eligibility is looked at — not signed in, no CSRF token — with ``detail`` only."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    reasons = EligibilityErrorOutput(many=True, required=False)


# --- turnout and results ------------------------------------------------------------------


class TurnoutDistrictOutput(serializers.Serializer):
    total = serializers.IntegerField()
    online = serializers.IntegerField()
    paper = serializers.IntegerField()
    imported = serializers.IntegerField()


class TurnoutOutput(serializers.Serializer):
    voters = serializers.IntegerField(help_text="People who voted in at least one district.")
    districts = serializers.DictField(
        child=TurnoutDistrictOutput(), help_text="Voters per district budget key and channel."
    )


class ProjectOutcomeOutput(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    selected = serializers.BooleanField()
    support = serializers.IntegerField(
        allow_null=True, help_text="Null while vote counts are not public."
    )
    reason = serializers.CharField(
        help_text="selected, completion_add1, completion_greedy, not_affordable, "
        "supporters_exhausted or no_support."
    )
    step = serializers.IntegerField(allow_null=True)
    params = serializers.DictField(
        help_text="The figures behind the decision (amounts in minor units)."
    )
    explanation = serializers.CharField(help_text="The decision as a translated sentence.")


class TallyResultOutput(serializers.Serializer):
    district = serializers.CharField(source="district_budget.key")
    name = serializers.CharField(source="district_budget.name")
    rule = serializers.ChoiceField(choices=OutcomeRule.choices)
    tie_break = serializers.ChoiceField(choices=TieBreak.choices)
    lottery_seed = serializers.IntegerField()
    ballot_count = serializers.IntegerField()
    selected = serializers.ListField(
        child=serializers.CharField(), help_text="Funded project ids, in selection order."
    )
    spent = serializers.IntegerField()
    spent_display = AmountDisplay(source="spent")
    budget = serializers.IntegerField()
    budget_display = AmountDisplay(source="budget")
    computed_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    projects = serializers.SerializerMethodField()

    @extend_schema_field(ProjectOutcomeOutput(many=True))
    def get_projects(self, obj: Any) -> list[dict[str, Any]]:
        return ProjectOutcomeOutput(
            project_outcomes(
                obj,
                currency=self.context["currency"],
                counts_public=self.context["counts_public"],
                titles=self.context["titles"].get(obj.district_budget_id, {}),
            ),
            many=True,
        ).data


class PublishedResultsOutput(serializers.Serializer):
    published = serializers.BooleanField()
    districts = TallyResultOutput(many=True)


class RuleOutcomeOutput(serializers.Serializer):
    rule = serializers.ChoiceField(choices=OutcomeRule.choices)
    selected = serializers.ListField(child=serializers.CharField())
    spent = serializers.IntegerField()
    spent_display = AmountDisplay(source="spent")


class RuleComparisonOutput(serializers.Serializer):
    district = serializers.CharField()
    name = serializers.CharField()
    budget = serializers.IntegerField()
    budget_display = AmountDisplay(source="budget")
    ballot_count = serializers.IntegerField()
    rules = RuleOutcomeOutput(many=True)
    selected_by_all = serializers.ListField(
        child=serializers.CharField(), help_text="Projects every rule funds."
    )


class TallyRunInput(Input):
    rule = serializers.ChoiceField(
        choices=OutcomeRule.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Defaults to the round's outcome rule.",
    )


class TallyPreviewQuery(serializers.Serializer):
    rule = serializers.ChoiceField(choices=OutcomeRule.choices, required=False)
    compare = serializers.BooleanField(required=False, default=False)


class TallyPreviewOutput(serializers.Serializer):
    rule = serializers.CharField(allow_null=True)
    results = TallyResultOutput(many=True)
    comparison = RuleComparisonOutput(many=True, allow_null=True)


# --- paper ballots ------------------------------------------------------------------------


class PaperEntryInput(Input, _BallotContent):
    district = serializers.SlugField(max_length=80)
    serial = serializers.CharField(max_length=60, help_text="The serial printed on the sheet.")
    voter_reference = serializers.CharField(
        max_length=254, help_text="The voter's email or identity number, as on the sheet."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["district_budget"] = district_budget_of(self.context["round"], attrs.pop("district"))
        return attrs


class PaperSheetOutput(serializers.ModelSerializer):
    district = serializers.CharField(source="district_budget.key", read_only=True)
    status = serializers.ChoiceField(choices=PaperSheetStatus.choices, read_only=True)
    entries = serializers.SerializerMethodField()

    class Meta:
        model = PaperBallotSheet
        fields = ["serial", "district", "status", "entries"]
        read_only_fields = fields

    def get_entries(self, obj: PaperBallotSheet) -> int:
        return obj.entries.count()


class PaperProgressOutput(serializers.Serializer):
    awaiting_second = serializers.IntegerField()
    counted = serializers.IntegerField()
    conflict = serializers.IntegerField()
    duplicate_voter = serializers.IntegerField()
    paper_ballots = serializers.IntegerField(help_text="Paper ballots counted.")
