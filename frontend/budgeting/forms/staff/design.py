"""Forms of a round's design: settings, new round, district budgets, phase moves, schedule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting import phases
from budgeting.models import BallotFormat, BudgetRound, OutcomeRule, Phase, TieBreak
from budgeting.phases import Action
from budgeting.services.rounds import (
    ALWAYS_EDITABLE_FIELDS,
    CONFIGURABLE_FIELDS,
    NULLABLE_SETTINGS,
)
from engagement.money import from_minor
from engagement.people.models import District, Organisation
from frontend.budgeting.forms.staff.common import TranslatedContentMixin

# Settings that decide how votes count: locked by the services once voting opens.
LOCKABLE_FIELDS = CONFIGURABLE_FIELDS - ALWAYS_EDITABLE_FIELDS

BALLOT_FORMAT_HELP = {
    BallotFormat.APPROVAL: _(
        "Voters tick the projects they support. You can limit how many they tick, or make"
        " the ticked projects fit within the budget."
    ),
    BallotFormat.CUMULATIVE: _(
        "Voters share out a number of points between projects, for example 10 points,"
        " giving more points to the projects they like most."
    ),
    BallotFormat.ORDINAL: _(
        "Voters put their favourite projects in order: first choice, second choice, and so on."
    ),
    BallotFormat.CHOOSE_ONE: _("Voters choose exactly one project."),
}

OUTCOME_RULE_HELP = {
    OutcomeRule.GREEDY: _(
        "The projects with the most votes are funded first, until the money runs out. Simple"
        " to explain; a large group can win every project."
    ),
    OutcomeRule.MES: _(
        "Each voter gets an equal share of the budget to spend on the projects they voted for."
        " Fairer to smaller groups; may leave money unspent."
    ),
    OutcomeRule.EQUAL_SHARES: _(
        "Equal Shares, with every voter's share raised step by step so that as much of the"
        " budget as possible is used (recommended by equalshares.net)."
    ),
    OutcomeRule.EQUAL_SHARES_GREEDY: _(
        "Equal Shares first; any money left over then funds the most-voted projects that still fit."
    ),
}

TIE_BREAK_HELP = {
    TieBreak.PROJECT_ID: _("Projects with equal support are taken in the order of their ids."),
    TieBreak.LOWER_COST: _("Of projects with equal support, the cheaper one goes first."),
    TieBreak.LOTTERY: _(
        "A lottery decides, with a seed number you publish in advance so anyone can check it."
    ),
}


def _optional_int(label: Any, help_text: Any = "", **limits: int) -> forms.IntegerField:
    return forms.IntegerField(label=label, help_text=help_text, required=False, **limits)


class RoundForm(TranslatedContentMixin, forms.Form):
    """A round's design. ``locked`` fields are shown read-only (the services refuse them)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the round is for, who may take part and how. Shown on the round page."),
    )

    ballot_format = forms.ChoiceField(
        label=_("Ballot format"),
        choices=BallotFormat.choices,
        widget=forms.RadioSelect(attrs={"data-ballot-format": ""}),
        initial=BallotFormat.APPROVAL,
    )
    min_projects = forms.IntegerField(
        label=_("Minimum number of projects on a ballot"),
        min_value=0,
        max_value=32767,
        initial=1,
        help_text=_("Usually 1: a ballot must name at least this many projects."),
    )
    max_projects = _optional_int(
        _("Maximum number of projects on a ballot"),
        _("Leave empty for no limit."),
        min_value=0,
        max_value=32767,
    )
    knapsack = forms.BooleanField(
        label=_("The chosen projects must fit within the budget"),
        required=False,
        help_text=_("Approval ballots only: voters see how much money is left while they choose."),
    )
    min_spend_percent = _optional_int(
        _("Minimum spend (% of the budget)"),
        _("Approval ballots only: voters must choose projects worth at least this share."),
        min_value=0,
        max_value=100,
    )
    points_budget = _optional_int(
        _("Points per voter"),
        _("Cumulative ballots only: how many points each voter shares out."),
        min_value=0,
        max_value=2147483647,
    )
    max_points_per_project = _optional_int(
        _("Maximum points for one project"),
        _("Cumulative ballots only. Leave empty for no limit."),
        min_value=0,
        max_value=2147483647,
    )
    max_rank = _optional_int(
        _("Number of projects to rank"),
        _("Ranking ballots only: how many favourites a voter may put in order."),
        min_value=0,
        max_value=32767,
    )

    outcome_rule = forms.ChoiceField(
        label=_("How winners are chosen"),
        choices=OutcomeRule.choices,
        widget=forms.RadioSelect,
        initial=OutcomeRule.GREEDY,
    )
    tie_break = forms.ChoiceField(
        label=_("When projects tie"),
        choices=TieBreak.choices,
        widget=forms.RadioSelect(attrs={"data-tie-break": ""}),
        initial=TieBreak.PROJECT_ID,
    )
    lottery_seed = forms.IntegerField(
        label=_("Lottery seed"),
        required=False,
        min_value=-9223372036854775808,
        max_value=9223372036854775807,
        help_text=_("Any whole number. Publish it before voting starts."),
    )

    live_counts_public = forms.BooleanField(
        label=_("Show vote counts while voting is open"),
        required=False,
        help_text=_("Off by default: live counts can sway late voters."),
    )
    ballot_changes_allowed = forms.BooleanField(
        label=_("Voters may change or withdraw their ballot until voting closes"),
        required=False,
        initial=True,
    )
    secret_ballot = forms.BooleanField(
        label=_("Secret ballot"),
        required=False,
        initial=True,
        help_text=_(
            "Recommended. Nobody, staff included, can see who voted for what; voters get a"
            " receipt code to check their ballot."
        ),
    )
    one_district_per_voter = forms.BooleanField(
        label=_("Voters choose one district"),
        required=False,
        help_text=_("A voter may vote in the city-wide budget and in one district only."),
    )
    min_age = _optional_int(
        _("Minimum age"),
        _("Age reached during the year of the vote. Leave empty for no limit."),
        min_value=0,
        max_value=120,
    )
    residence_required = forms.BooleanField(
        label=_("District ballots only for residents of the district"), required=False
    )
    verified_email_required = forms.BooleanField(
        label=_("Voters must have confirmed their email address"),
        required=False,
        initial=True,
        help_text=_("Recommended: makes it harder to vote twice with made-up accounts."),
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        budget_round: BudgetRound | None = None,
        **kwargs: Any,
    ) -> None:
        self.organisation = organisation
        self.budget_round = budget_round
        if budget_round is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(budget_round)
        super().__init__(*args, **kwargs)
        self.add_translation_fields(
            organisation, budget_round.translations if budget_round else None, 200
        )
        configurable = budget_round is None or phases.allows(budget_round.phase, Action.CONFIGURE)
        self.lock_fields(set() if configurable else set(LOCKABLE_FIELDS))

    @classmethod
    def initial_from(cls, budget_round: BudgetRound) -> dict[str, Any]:
        initial = {name: getattr(budget_round, name) for name in CONFIGURABLE_FIELDS}
        initial.pop("translations", None)
        initial.update(cls.translation_initial(budget_round.translations))
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.collect_submitted_locked()
        return cleaned

    def settings_data(self) -> dict[str, Any]:
        """Input for ``round_update``: what the page may change now."""
        data: dict[str, Any] = {"translations": self.translations()}
        for name in CONFIGURABLE_FIELDS - {"translations"}:
            if name in self.fields and name not in self.locked:
                data[name] = self.cleaned_data.get(name)
        data.update(self.submitted_locked)
        return data


class RoundCreateForm(RoundForm):
    """A new round: its address and its budgets as well as its design."""

    slug = forms.SlugField(
        label=_("Web address"),
        max_length=120,
        help_text=_(
            "The end of the round's address, e.g. budget-2027: lower-case letters, digits and"
            " hyphens. It cannot change later."
        ),
    )
    citywide_budget = forms.CharField(
        label=_("City-wide budget"),
        required=False,
        max_length=40,
        help_text=_(
            "In %(currency)s, for example 250000 or 250000.50. Leave empty if the money is only"
            " shared between districts."
        ),
    )

    field_order = ["title", "slug", "description", "citywide_budget"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["citywide_budget"].help_text = self.fields["citywide_budget"].help_text % {
            "currency": organisation.currency
        }
        self.fields["citywide_budget"].widget.attrs["inputmode"] = "decimal"
        self.districts = list(District.objects.filter(organisation=organisation).order_by("name"))
        for district in self.districts:
            self.fields[f"district_{district.slug}"] = forms.CharField(
                label=district.name,
                required=False,
                max_length=40,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def district_fields(self) -> list[forms.BoundField]:
        return [self[f"district_{d.slug}"] for d in self.districts]

    def create_data(self) -> dict[str, Any]:
        """Input for ``round_create``; amounts as typed, for ``budgeting.inputs.round_budgets``."""
        data = self.settings_data()
        data.update(
            slug=self.cleaned_data["slug"],
            title=self.cleaned_data["title"],
        )
        citywide = (self.cleaned_data.get("citywide_budget") or "").strip()
        if citywide:
            data["citywide_budget"] = citywide
        entries = []
        for district in self.districts:
            amount = (self.cleaned_data.get(f"district_{district.slug}") or "").strip()
            if amount:
                entries.append({"district": district.slug, "budget": amount})
        if entries:
            data["district_budgets"] = entries
        # Null means "no limit"; empty strings are not numbers.
        return {k: v for k, v in data.items() if v is not None or k in NULLABLE_SETTINGS}


class DistrictBudgetAddForm(forms.Form):
    district = forms.ChoiceField(
        label=_("Which budget"),
        help_text=_("The city-wide pot, or one of your districts that has no budget yet."),
    )
    name = forms.CharField(
        label=_("Name shown to voters"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the district's name."),
    )
    budget = forms.CharField(
        label=_("Budget"), max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args: Any, budget_round: BudgetRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        used = {d.district_id for d in budget_round.districts.all()}
        has_city = any(d.district_id is None for d in budget_round.districts.all())
        choices = [] if has_city else [("", _("City-wide"))]
        choices += [
            (d.slug, d.name)
            for d in District.objects.filter(organisation=budget_round.organisation_id)
            .exclude(pk__in=[pk for pk in used if pk])
            .order_by("name")
        ]
        self.fields["district"].choices = choices
        self.fields["district"].required = False
        self.fields["budget"].help_text = _("In %(currency)s, for example 50000.") % {
            "currency": budget_round.currency
        }


class DistrictBudgetEditForm(forms.Form):
    name = forms.CharField(label=_("Name shown to voters"), max_length=200)
    budget = forms.CharField(
        label=_("Budget"), max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args: Any, district_budget: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": district_budget.name,
                "budget": str(from_minor(district_budget.budget, district_budget.round.currency)),
            },
        )
        kwargs.setdefault("prefix", f"budget-{district_budget.pk}")
        super().__init__(*args, **kwargs)
        self.district_budget = district_budget
        self.fields["budget"].help_text = _("In %(currency)s.") % {
            "currency": district_budget.round.currency
        }


class PhaseForm(forms.Form):
    to = forms.ChoiceField(label=_("Next phase"), widget=forms.RadioSelect)
    confirm = forms.BooleanField(
        label=_("I understand what changes for residents"),
        required=True,
        error_messages={"required": _("Tick the box to confirm the change.")},
    )

    def __init__(self, *args: Any, budget_round: BudgetRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Phase.choices)
        self.fields["to"].choices = [
            (p, labels[p]) for p in phases.TRANSITIONS.get(budget_round.phase, ())
        ]


class ScheduleForm(forms.Form):
    """Planned start of each later phase, in the organisation's time zone."""

    def __init__(self, *args: Any, budget_round: BudgetRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Phase.choices)
        later = phases.ORDER[phases.ORDER.index(budget_round.phase) + 1 :]
        self.phases = list(later)
        for phase in self.phases:
            self.fields[phase] = forms.DateTimeField(
                label=labels[phase],
                required=False,
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                widget=forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
                ),
            )
