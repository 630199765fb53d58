"""The paper-ballot entry form: one officer's reading of one sheet."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting.models import BallotFormat, BudgetRound, DistrictBudget, Project


class PaperEntryForm(forms.Form):
    """One officer's reading of one sheet, shaped by the round's ballot format.

    Approval: a checkbox per project; choose-1: one radio; cumulative: points per project;
    ranking: a rank per project. The service validates the ballot with the same rules as
    online votes (``budgeting.ballots``).
    """

    serial = forms.CharField(
        label=_("Sheet number"),
        max_length=60,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    voter_reference = forms.CharField(
        label=_("Voter's email or identity number"),
        max_length=254,
        help_text=_("As written on the sheet; used to check the person has not voted online."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(
        self,
        *args: Any,
        budget_round: BudgetRound,
        district_budget: DistrictBudget,
        projects: list[Project],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.budget_round = budget_round
        self.district_budget = district_budget
        self.projects = projects
        self.format = budget_round.ballot_format
        self.project_fields: list[str] = []
        choices = [(p.external_id, f"{p.external_id} · {p.title}") for p in projects]
        if self.format == BallotFormat.APPROVAL:
            self.fields["projects"] = forms.MultipleChoiceField(
                label=_("Projects ticked on the sheet"),
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        elif self.format == BallotFormat.CHOOSE_ONE:
            self.fields["projects"] = forms.ChoiceField(
                label=_("Project chosen on the sheet"),
                choices=choices,
                widget=forms.RadioSelect,
                required=False,
            )
        else:
            cumulative = self.format == BallotFormat.CUMULATIVE
            for project in projects:
                name = f"p_{project.pk}"
                self.fields[name] = forms.IntegerField(
                    label=f"{project.external_id} · {project.title}",
                    required=False,
                    min_value=1,
                    max_value=(budget_round.points_budget or 10_000)
                    if cumulative
                    else max(1, len(projects)),
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "paper-num"}),
                )
                self.project_fields.append(name)

    @property
    def uses_numbers(self) -> bool:
        return bool(self.project_fields)

    def ballot(self) -> tuple[list[str], list[int] | None]:
        """The ballot as the service takes it: project ids (in rank order) and points."""
        data = self.cleaned_data
        if self.format == BallotFormat.APPROVAL:
            return list(data.get("projects") or []), None
        if self.format == BallotFormat.CHOOSE_ONE:
            chosen = data.get("projects")
            return ([chosen] if chosen else []), None
        numbered = [
            (data[f"p_{p.pk}"], p.external_id)
            for p in self.projects
            if data.get(f"p_{p.pk}") is not None
        ]
        if self.format == BallotFormat.CUMULATIVE:
            return [pid for _n, pid in numbered], [n for n, _pid in numbered]
        return [pid for _n, pid in sorted(numbered)], None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.format == BallotFormat.ORDINAL:
            seen: dict[int, str] = {}
            for name in self.project_fields:
                rank = data.get(name)
                if rank is None:
                    continue
                if rank in seen:
                    self.add_error(name, _("Rank %(rank)s is given twice.") % {"rank": rank})
                seen[rank] = name
        return data

    def number_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.project_fields]
