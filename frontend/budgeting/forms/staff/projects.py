"""Forms of a round's projects: correcting one, and adding one with its id."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting import phases
from budgeting.models import BudgetRound
from budgeting.phases import Action
from budgeting.services.rounds import ALWAYS_EDITABLE_FIELDS, PROJECT_EDITABLE_FIELDS
from engagement.money import from_minor
from frontend.budgeting.forms.staff.common import TranslatedContentMixin

# Project fields as the page names them (``district`` is the service's district_budget),
# locked outside Action.EDIT_PROJECTS; the wording stays editable.
PROJECT_LOCKABLE_FIELDS = tuple(
    sorted(
        "district" if name == "district_budget" else name
        for name in PROJECT_EDITABLE_FIELDS - ALWAYS_EDITABLE_FIELDS
    )
)


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
        """Input for ``budgeting.inputs.project_fields``: what the page may change now."""
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
