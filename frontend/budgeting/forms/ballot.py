"""The ballot as a plain HTML form, one shape per ballot format. The form reads the choices;
the voting service checks them against the rules, as it does for the API
(``voting.ballot_check`` at the review, ``voting.ballot_cast`` on confirmation), and the form
puts its messages on the fields they are about.

Field names are stable (the JavaScript and the browser tests rely on them):
- approval: ``projects`` (checkboxes, values are project ids);
- choose-1: ``projects`` (radio buttons);
- cumulative: ``points-<project id>`` (a number per project, 0 = none);
- ordinal: ``rank-<project id>`` (a select per project: empty = not ranked, 1..k);
- ``receipt``: secret rounds, when an earlier ballot is being changed or withdrawn;
- ``cast_key``: hidden, made when the ballot is first shown and carried to the confirmation,
  so a confirmation sent twice (a lost answer, a resubmitted page) casts once and gives the
  same receipt code again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from budgeting.ballots import ERROR_CODES
from budgeting.messages import RECEIPT_FORMAT_MESSAGE, RECEIPT_REQUIRED_MESSAGE, ballot_message
from budgeting.models import BudgetRound, DistrictBudget, Project
from budgeting.services import voting
from engagement.content.languages import localised
from engagement.money import format_money

RECEIPT_ATTRS = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}


def clean_receipt_code(value: str) -> str:
    """A receipt code as the voter may type it (spaces, dashes, lower case), normalised."""
    code = voting.parse_receipt(value or "")
    if code is None:
        raise forms.ValidationError(RECEIPT_FORMAT_MESSAGE, code="receipt_format")
    return code


class BallotForm(forms.Form):
    """One district budget's ballot. ``projects`` are the projects on it, in display order."""

    def __init__(
        self,
        *args: Any,
        budget_round: BudgetRound,
        district_budget: DistrictBudget,
        projects: list[Project],
        need_receipt: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.budget_round = budget_round
        self.district_budget = district_budget
        self.projects = projects
        self.by_id = {p.external_id: p for p in projects}
        self.format = budget_round.ballot_format
        self.rules = voting.ballot_rules(budget_round, district_budget)
        choices = [(p.external_id, localised(p, "title")) for p in projects]
        if self.format == "approval":
            self.fields["projects"] = forms.MultipleChoiceField(
                label=_("Your choices"),
                choices=choices,
                required=False,  # an empty ballot gets the rules' own message
                widget=forms.CheckboxSelectMultiple,
            )
        elif self.format == "choose-1":
            self.fields["projects"] = forms.ChoiceField(
                label=_("Your choice"), choices=choices, required=False, widget=forms.RadioSelect
            )
        elif self.format == "cumulative":
            for project in projects:
                # No max_value here: the cap is the rules' check, with the rules' message.
                self.fields[f"points-{project.external_id}"] = forms.IntegerField(
                    label=localised(project, "title"), min_value=0, required=False
                )
        else:
            ranks = [("", gettext("Not ranked"))] + [
                (str(n), str(n)) for n in range(1, self.max_rank + 1)
            ]
            for project in projects:
                self.fields[f"rank-{project.external_id}"] = forms.TypedChoiceField(
                    label=localised(project, "title"),
                    choices=ranks,
                    coerce=int,
                    empty_value=None,
                    required=False,
                )
        self.fields["cast_key"] = forms.RegexField(
            regex=voting.CAST_KEY_PATTERN,
            required=False,
            initial=voting.new_cast_key,
            widget=forms.HiddenInput,
        )
        if need_receipt:
            self.fields["receipt"] = forms.CharField(
                label=_("Your receipt code"),
                help_text=_(
                    "This is a secret ballot: only the receipt code you were given links you "
                    "to your ballot, so it is needed to change it."
                ),
                max_length=64,
                required=False,  # clean() says why it is needed
                widget=forms.TextInput(RECEIPT_ATTRS),
            )

    @property
    def max_rank(self) -> int:
        limits = [n for n in (self.rules.max_rank, self.rules.max_projects) if n]
        return min([len(self.projects), *limits]) if self.projects else 0

    # --- reading the choices --------------------------------------------------------------

    def project_field(self, project_id: str) -> str | None:
        """The form field that holds ``project_id``'s choice (for field-level messages)."""
        if self.format in ("approval", "choose-1"):
            return "projects"
        prefix = "points" if self.format == "cumulative" else "rank"
        name = f"{prefix}-{project_id}"
        return name if name in self.fields else None

    def clean_receipt(self) -> str | None:
        value = self.cleaned_data.get("receipt")
        return clean_receipt_code(value) if value else None

    def choices(self) -> tuple[list[str], list[int] | None]:
        """The ballot as the voting service takes it: project ids in order, and points."""
        data = self.cleaned_data
        if self.format == "approval":
            return list(data.get("projects") or []), None
        if self.format == "choose-1":
            return ([data["projects"]] if data.get("projects") else []), None
        if self.format == "cumulative":
            given = [(p.external_id, data.get(f"points-{p.external_id}")) for p in self.projects]
            given = [(pid, n) for pid, n in given if n]
            return [pid for pid, _n in given], [n for _pid, n in given]
        ranked = [
            (data[f"rank-{p.external_id}"], p.external_id)
            for p in self.projects
            if data.get(f"rank-{p.external_id}") is not None
        ]
        return [pid for _rank, pid in sorted(ranked)], None

    def clean(self) -> dict[str, Any]:
        """The shape of the choices only; the rules are the voting service's to check."""
        data = super().clean()
        if "receipt" in self.fields and not data.get("receipt") and "receipt" not in self.errors:
            # Said at the review already, not only when the voting service refuses it.
            self.add_error(
                "receipt",
                forms.ValidationError(str(RECEIPT_REQUIRED_MESSAGE), code="receipt_required"),
            )
        if not self.errors and self.format == "ordinal":
            self._ranks_are_distinct()
        return data

    def _ranks_are_distinct(self) -> bool:
        holders: dict[int, list[Project]] = {}
        for project in self.projects:
            rank = self.cleaned_data.get(f"rank-{project.external_id}")
            if rank is not None:
                holders.setdefault(rank, []).append(project)
        distinct = True
        for rank, projects in sorted(holders.items()):
            if len(projects) < 2:
                continue
            distinct = False
            titles = ", ".join(localised(p, "title") for p in projects)
            message = gettext(
                "Rank %(rank)s is given to more than one project (%(projects)s). Give each "
                "rank to one project only."
            ) % {"rank": rank, "projects": titles}
            for project in projects:
                self.add_error(
                    f"rank-{project.external_id}",
                    forms.ValidationError(message, code="duplicate_rank"),
                )
        return distinct

    def add_service_errors(self, error: ValidationError) -> None:
        """The voting service's refusal of this ballot, on the fields it is about: a rule's
        message on the project's own field where it is about one project (named by its
        title), others on the field of the same name, or on the form."""
        projects, _points = self.choices()  # before add_error takes fields out of the data
        errors = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
        for field, field_errors in errors.items():
            for item in field_errors:
                if item.code in ERROR_CODES:
                    self._add_rule_error(item.code, dict(item.params or {}), projects)
                else:
                    self.add_error(field if field in self.fields else None, item)

    def _add_rule_error(self, code: str, params: dict[str, Any], projects: list[str]) -> None:
        project_id = params.get("project")
        if project_id is None and "position" in params and params["position"] < len(projects):
            project_id = projects[params["position"]]
        if project_id in self.by_id:
            params["project"] = localised(self.by_id[project_id], "title")
        message = ballot_message(code, params)
        field = self.project_field(project_id) if project_id else None
        if field is None and self.format in ("approval", "choose-1"):
            field = "projects"
        self.add_error(field, forms.ValidationError(message, code=code))

    # --- showing the choices again -----------------------------------------------------------

    def carried_fields(self) -> list[tuple[str, str]]:
        """(name, value) pairs that repost this ballot unchanged (review → change/confirm)."""
        pairs: list[tuple[str, str]] = []
        projects, points = self.choices()
        if self.format in ("approval", "choose-1"):
            pairs += [("projects", pid) for pid in projects]
        elif self.format == "cumulative":
            pairs += [
                (f"points-{pid}", str(n)) for pid, n in zip(projects, points or [], strict=False)
            ]
        else:
            pairs += [(f"rank-{pid}", str(n)) for n, pid in enumerate(projects, start=1)]
        if self.cleaned_data.get("receipt"):
            pairs.append(("receipt", self.cleaned_data["receipt"]))
        if self.cleaned_data.get("cast_key"):
            pairs.append(("cast_key", self.cleaned_data["cast_key"]))
        return pairs

    def rows(self, project_url_prefix: str) -> list[dict[str, Any]]:
        """One entry per project for the template: the project, its texts and its control's
        state. ``project_url_prefix`` + ``<pk>/`` is the project's page."""
        selected: set[str] = set()
        if "projects" in self.fields:
            value = self["projects"].value()
            if isinstance(value, str):
                selected = {value}
            elif value:
                selected = set(value)
        # Texts are computed once here: a ballot may list hundreds of projects, and each
        # filter or {% url %} in the template loop costs per project.
        currency = self.budget_round.currency
        rows = []
        for project in self.projects:
            name = self.project_field(project.external_id)
            bound = self[name] if name and name != "projects" else None
            description = localised(project, "description")
            rows.append(
                {
                    "project": project,
                    "title": localised(project, "title"),
                    "summary": Truncator(description).words(30) if description else "",
                    "cost": format_money(project.cost, currency),
                    "url": f"{project_url_prefix}{project.pk}/",
                    "checked": project.external_id in selected,
                    "field": bound,
                    "value": bound.value() if bound is not None else None,
                }
            )
        return rows

    def review_rows(self) -> list[dict[str, Any]]:
        """The chosen projects in ballot order, with points or rank (after validation)."""
        projects, points = self.choices()
        rows = []
        for position, project_id in enumerate(projects):
            rows.append(
                {
                    "project": self.by_id[project_id],
                    "rank": position + 1,
                    "points": points[position] if points else None,
                }
            )
        return rows

    def initial_from(self, projects: list[str] | None, points: list[int] | None) -> None:
        """Prefill with an earlier ballot (only readable in rounds that are not secret)."""
        if not projects:
            return
        if self.format == "approval":
            self.initial["projects"] = list(projects)
        elif self.format == "choose-1":
            self.initial["projects"] = projects[0]
        elif self.format == "cumulative":
            for pid, n in zip(projects, points or [], strict=False):
                self.initial[f"points-{pid}"] = n
        else:
            for rank, pid in enumerate(projects, start=1):
                self.initial[f"rank-{pid}"] = str(rank)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Receipt code"),
        max_length=64,
        help_text=_("The code you were given when you voted, for example ABCD-EFGH-JKLM-NPQR."),
        widget=forms.TextInput(RECEIPT_ATTRS),
    )

    def clean_receipt(self) -> str:
        return clean_receipt_code(self.cleaned_data["receipt"])


class WithdrawForm(forms.Form):
    """Secret rounds ask for the receipt code; others have nothing to fill in."""

    def __init__(self, *args: Any, need_receipt: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cast_key"] = forms.RegexField(
            regex=voting.CAST_KEY_PATTERN,
            required=False,
            initial=voting.new_cast_key,
            widget=forms.HiddenInput,
        )
        if need_receipt:
            self.fields["receipt"] = forms.CharField(
                label=_("Your receipt code"),
                help_text=_("This is a secret ballot: the receipt code is needed to withdraw it."),
                max_length=64,
                widget=forms.TextInput(RECEIPT_ATTRS),
            )

    def clean_receipt(self) -> str:
        return clean_receipt_code(self.cleaned_data["receipt"])
