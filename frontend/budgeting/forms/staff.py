"""Staff forms: a round's design, its district budgets, phase moves and the schedule.

The forms only read the page's input. Validation and conversion go through the same input
serializers as the API (``budgeting.api.serializers``) and the same services decide and
write, so a page and an API call can never disagree. Errors from either come back as field
errors here (:func:`add_errors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budgeting import phases
from budgeting.models import BallotFormat, BudgetRound, OutcomeRule, Phase, TieBreak
from budgeting.phases import Action
from budgeting.services.rounds import (
    ALWAYS_EDITABLE_FIELDS,
    CONFIGURABLE_FIELDS,
    PROJECT_EDITABLE_FIELDS,
)
from engagement.money import from_minor
from engagement.people.models import District, Organisation

# Settings that decide how votes count: locked by the services once voting opens.
LOCKABLE_FIELDS = CONFIGURABLE_FIELDS - ALWAYS_EDITABLE_FIELDS
# Project fields as the page names them (``district`` is the service's district_budget),
# locked outside Action.EDIT_PROJECTS; the wording stays editable.
PROJECT_LOCKABLE_FIELDS = tuple(
    sorted(
        "district" if name == "district_budget" else name
        for name in PROJECT_EDITABLE_FIELDS - ALWAYS_EDITABLE_FIELDS
    )
)

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


def choices_with_help(
    choices: list[tuple[str, str]], helps: Mapping[str, Any]
) -> list[dict[str, str]]:
    """Choices with their plain-words explanation, for the template's description list."""
    return [{"value": v, "label": label, "help": helps.get(v, "")} for v, label in choices]


def other_languages(organisation: Organisation) -> list[tuple[str, str]]:
    """Languages staff may translate into: every offered language but the default one."""
    offered = list(organisation.languages or ["en"])
    others = [(code, name) for code, name in settings.LANGUAGES if code != offered[0]]
    # The organisation's own languages first: those are the ones its residents read.
    return sorted(others, key=lambda item: item[0] not in offered)


def add_errors(form: forms.Form, errors: Any, aliases: Mapping[str, str] | None = None) -> None:
    """Put a service ``ValidationError`` or a serializer's ``errors`` on the form's fields.

    Unknown names (``phase``, ``__all__``) become form-wide errors; ``aliases`` maps a
    service's name to the page's field (e.g. ``citywide_budget`` to ``budget``).
    """
    if isinstance(errors, ValidationError):
        errors = errors.message_dict if hasattr(errors, "error_dict") else {None: errors.messages}
    aliases = aliases or {}
    for name, messages in dict(errors).items():
        target = aliases.get(name, name)
        if isinstance(messages, dict):  # nested (a list of district budgets)
            messages = [str(m) for ms in messages.values() for m in ms]
        if not isinstance(messages, list | tuple):
            messages = [messages]
        flat = []
        for message in messages:
            if isinstance(message, dict):
                flat.extend(str(m) for ms in message.values() for m in ms)
            else:
                flat.append(str(message))
        field = target if target in form.fields else None
        for message in flat:
            form.add_error(field, message)


class TranslatedContentMixin:
    """Title/description translation fields and read-only locked fields, for a ``Form``.

    Shared by the round and project forms: one title + description pair per language other
    than the organisation's default (``title_<code>``, ``description_<code>``), gathered
    back into the ``translations`` JSON the services validate.
    """

    organisation: Organisation
    fields: dict[str, Any]
    cleaned_data: dict[str, Any]
    data: Any
    initial: dict[str, Any]

    def add_translation_fields(
        self, organisation: Organisation, existing: dict[str, Any] | None, title_max_length: int
    ) -> None:
        self.organisation = organisation
        self.existing_translations = dict(existing or {})
        self.languages = other_languages(organisation)
        for code, name in self.languages:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": name},
                max_length=title_max_length,
                required=False,
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description in %(language)s") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @staticmethod
    def translation_initial(translations: dict[str, Any] | None) -> dict[str, str]:
        initial = {}
        for code, entry in (translations or {}).items():
            for name in ("title", "description"):
                if entry.get(name):
                    initial[f"{name}_{code}"] = entry[name]
        return initial

    def lock_fields(self, names: set[str]) -> None:
        self.locked = {name for name in names if name in self.fields}
        for name in self.locked:
            self.fields[name].disabled = True
        self.submitted_locked: dict[str, Any] = {}

    def collect_submitted_locked(self) -> None:
        # A locked field sent anyway (an old tab, a crafted request) goes to the service,
        # which refuses it: the page must not silently keep the old value.
        for name in self.locked:
            if name not in self.data:
                continue
            field = self.fields[name]
            try:
                value = field.to_python(field.widget.value_from_datadict(self.data, {}, name))
            except ValidationError:
                continue
            if value != self.initial.get(name):
                self.submitted_locked[name] = value

    def translations(self) -> dict[str, dict[str, str]]:
        """The translation fields as ``translations`` JSON (empty ones left out).

        Languages the page does not offer (e.g. the default one, set through the API) are kept.
        """
        offered = {code for code, _name in self.languages}
        existing = self.existing_translations
        result = {code: entry for code, entry in existing.items() if code not in offered}
        for code in sorted(offered):
            entry = {
                name: self.cleaned_data.get(f"{name}_{code}", "").strip()
                for name in ("title", "description")
            }
            entry = {k: v for k, v in entry.items() if v}
            if entry:
                result[code] = entry
        return result

    def translation_rows(self) -> list[dict[str, Any]]:
        rows = []
        for code, name in self.languages:
            title, description = self[f"title_{code}"], self[f"description_{code}"]  # type: ignore[index]
            filled = any(bool(b.value()) or bool(b.errors) for b in (title, description))
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "title": title,
                    "description": description,
                    "open": filled,
                    "offered": code in (self.organisation.languages or []),
                }
            )
        return rows


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
        """Input for the API's settings serializer: what the page may change now."""
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
        """Input for the API's create serializer."""
        data = self.settings_data()
        data.update(
            organisation=self.organisation.slug,
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
        # Null means "no limit" to the serializer; empty strings are not numbers.
        return {k: v for k, v in data.items() if v is not None or k in NULLABLE}


NULLABLE = frozenset(
    {
        "max_projects",
        "min_spend_percent",
        "points_budget",
        "max_points_per_project",
        "max_rank",
        "lottery_seed",
        "min_age",
    }
)


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


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the preview. Publish the results now."),
        required=True,
        error_messages={"required": _("Tick the box to confirm publication.")},
    )


class TallyForm(forms.Form):
    """Nothing to fill in: the button runs every rule (a POST, so it is never prefetched)."""


class OrganisationBrandingForm(forms.Form):
    """How the organisation's pages look to residents: colour, logo, website."""

    brand_colour = forms.CharField(
        label=_("Brand colour"),
        max_length=7,
        help_text=_(
            "A colour like #1a5fb4, used for buttons, links and the top bar. It must be dark"
            " enough for white text to stay readable."
        ),
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A wide PNG, JPEG or WebP image, about 200 by 60 pixels; shown in the header."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)


class CommaListField(forms.CharField):
    """A short list typed as comma-separated words (categories, target groups)."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            return [str(v).strip() for v in value if str(v).strip()]
        text = super().to_python(value)
        return [part.strip() for part in text.split(",") if part.strip()]


class ProjectForm(TranslatedContentMixin, forms.Form):
    """A project of a round. Outside the editing phases only the wording can change."""

    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What will be built or done, where and for whom."),
    )
    district = forms.ChoiceField(label=_("Budget"))
    cost = forms.CharField(
        label=_("Cost"), max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    categories = CommaListField(
        label=_("Categories"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas, for example: green, mobility."),
    )
    targets = CommaListField(
        label=_("Target groups"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas, for example: children, seniors."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        help_text=_("For the map, in decimal degrees, for example 56.949600."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        help_text=_("For the map, in decimal degrees, for example 24.105200."),
    )

    def __init__(
        self,
        *args: Any,
        budget_round: BudgetRound,
        project: Any | None = None,
        **kwargs: Any,
    ) -> None:
        self.budget_round = budget_round
        self.project = project
        if project is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(project, budget_round.currency)
        super().__init__(*args, **kwargs)
        budgets = sorted(budget_round.districts.all(), key=lambda d: (d.position, d.key))
        self.fields["district"].choices = [(d.key, d.name) for d in budgets]
        self.fields["cost"].help_text = _("In %(currency)s, for example 25000.") % {
            "currency": budget_round.currency
        }
        self.add_translation_fields(
            budget_round.organisation, project.translations if project else None, 300
        )
        editable = phases.allows(budget_round.phase, Action.EDIT_PROJECTS)
        self.lock_fields(set() if editable else set(PROJECT_LOCKABLE_FIELDS))

    @classmethod
    def initial_from(cls, project: Any, currency: str) -> dict[str, Any]:
        initial = {
            "title": project.title,
            "description": project.description,
            "district": project.district_budget.key,
            "cost": str(from_minor(project.cost, currency)),
            "categories": list(project.categories or []),
            "targets": list(project.targets or []),
            "latitude": project.latitude,
            "longitude": project.longitude,
        }
        initial.update(cls.translation_initial(project.translations))
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.collect_submitted_locked()
        return cleaned

    def api_data(self) -> dict[str, Any]:
        """Input for the API's project serializers: what the page may change now."""
        data: dict[str, Any] = {"translations": self.translations()}
        for name in ("title", "description", *PROJECT_LOCKABLE_FIELDS):
            if name in self.fields and name not in self.locked:
                data[name] = self.cleaned_data.get(name)
        data.update(self.submitted_locked)
        if isinstance(data.get("cost"), str):
            data["cost"] = data["cost"].strip()
        return data


class ProjectCreateForm(ProjectForm):
    """A new project: also its id in the round (the pabulib id), which cannot change."""

    id = forms.RegexField(
        label=_("Project id"),
        regex=r"^[\w.-]+$",
        max_length=120,
        help_text=_("Short and unique in this round, for example p12. It cannot change later."),
        error_messages={"invalid": _("Use letters, digits, dots, hyphens and underscores only.")},
    )

    field_order = ["id", "title"]

    def api_data(self) -> dict[str, Any]:
        return {**super().api_data(), "id": self.cleaned_data["id"]}
