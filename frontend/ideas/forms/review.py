"""The review queue's filters, a review decision (feasibility, cost, the ballot project's
district budget) and merging an idea into another. They check the shape of the input; the
services decide.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budgeting.models import BudgetRound, DistrictBudget
from engagement.ideas.models import Idea, IdeaStatus, ParticipatoryProcess, ProcessKind
from engagement.ideas.services.review import DECISIONS
from engagement.money import to_minor


class ReviewQueueFilterForm(forms.Form):
    process = forms.ChoiceField(label=_("Process"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(
        self,
        *args: Any,
        processes: list[ParticipatoryProcess],
        districts: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["process"].choices = everything + [(p.slug, p.title) for p in processes]
        self.fields["district"].choices = everything + [(d.slug, d.name) for d in districts]
        categories = sorted({c for p in processes for c in (p.categories or [])})
        self.fields["category"].choices = everything + [(c, c) for c in categories]

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


DECISION_LABELS = {
    IdeaStatus.UNDER_REVIEW: _("Under review — the administration is looking at it"),
    IdeaStatus.ACCEPTED: _("Feasible — accept it"),
    IdeaStatus.REJECTED: _("Not feasible — reject it (give a public reason)"),
}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Feasibility decision"),
        widget=forms.RadioSelect,
        choices=[(d, DECISION_LABELS[d]) for d in DECISIONS],
    )
    cost = forms.CharField(
        label=_("Administration's cost estimate"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    public_reason = forms.CharField(
        label=_("Public reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to everyone on the idea's page. Required when rejecting."),
    )
    district = forms.ChoiceField(label=_("District budget of the ballot project"), required=False)
    confirm = forms.BooleanField(
        label=_("I understand that accepting is final and puts a project on the ballot."),
        required=False,
    )

    def __init__(self, *args: Any, idea: Idea, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.idea = idea
        process = idea.process
        self.budget_round: BudgetRound | None = (
            process.budget_round if process.kind == ProcessKind.BUDGET else None
        )
        self.currency = (
            self.budget_round.currency if self.budget_round else process.organisation.currency
        )
        self.fields["cost"].help_text = _(
            "In %(currency)s, for example 12500 or 12500.50. Required to accept an idea of a"
            " budget round."
        ) % {"currency": self.currency}
        if self.budget_round is None:
            del self.fields["district"]
            self.fields["confirm"].label = _("I understand that accepting is final.")
        else:
            budgets = list(DistrictBudget.objects.filter(round=self.budget_round))
            self.fields["district"].choices = [("", _("The idea's district, else city-wide"))] + [
                (b.key, b.name) for b in budgets
            ]

    def clean_cost(self) -> int | None:
        raw = (self.cleaned_data.get("cost") or "").strip().replace(" ", "").replace("\u00a0", "")
        if not raw:
            return None
        raw = raw.replace(",", ".")
        try:
            minor = to_minor(raw, self.currency)
        except ValueError:
            raise ValidationError(
                _("Enter an amount in %(currency)s with at most the currency's decimals."),
                code="invalid_amount",
                params={"currency": self.currency},
            ) from None
        if minor < 0:
            raise ValidationError(_("A cost cannot be negative."), code="min_value")
        return minor

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == IdeaStatus.ACCEPTED and not data.get("confirm"):
            self.add_error("confirm", _("Tick this box to confirm the acceptance."))
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments: dict[str, Any] = {
            "decision": data["decision"],
            "cost": data.get("cost"),
            "public_reason": data.get("public_reason", ""),
        }
        if data.get("district"):
            arguments["district"] = data["district"]
        return arguments


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(
        label=_("Duplicate of"), coerce=int, widget=forms.RadioSelect, empty_value=None
    )
    public_reason = forms.CharField(
        label=_("Public reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional; shown on the idea's page."),
    )
    confirm_merge = forms.BooleanField(
        label=_("I understand that merging is final; supports are not moved."),
        error_messages={"required": _("Tick this box to confirm the merge.")},
    )

    def __init__(self, *args: Any, candidates: list[Idea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [
            (c.pk, f"#{c.pk} · {c.title} ({c.get_status_display()})") for c in candidates
        ]
