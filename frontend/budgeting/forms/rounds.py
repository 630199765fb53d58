"""Forms of a round's public pages: the project filter and following a project."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting.models import DistrictBudget

SORTS = {
    "": ("district_budget__position", "district_budget__key", "title", "pk"),
    "title": ("title", "pk"),
    "cost": ("cost", "title", "pk"),
    "-cost": ("-cost", "title", "pk"),
}


class ProjectFilterForm(forms.Form):
    """The projects list's query string. Choices are the round's own budgets and categories."""

    district = forms.ChoiceField(label=_("Budget"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Budget, then title")),
            ("title", _("Title (A to Z)")),
            ("cost", _("Cost (lowest first)")),
            ("-cost", _("Cost (highest first)")),
        ],
    )

    def __init__(
        self,
        data: object,
        *,
        districts: Iterable[DistrictBudget],
        categories: Iterable[str],
    ) -> None:
        super().__init__(data)
        self.fields["district"].choices = [("", _("All budgets"))] + [
            (d.key, d.name) for d in districts
        ]
        self.fields["category"].choices = [("", _("All categories"))] + [(c, c) for c in categories]

    def value(self, name: str) -> str:
        """The cleaned value, or empty when the form (or that field) is invalid."""
        if not hasattr(self, "cleaned_data"):
            return ""
        return self.cleaned_data.get(name) or ""


class FollowForm(forms.Form):
    action = forms.ChoiceField(choices=[("follow", "follow"), ("unfollow", "unfollow")])
    next = forms.CharField(required=False, max_length=500)
