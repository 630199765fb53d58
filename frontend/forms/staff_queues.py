"""Forms of the staff work queues. They check the shape of the input; the services decide.

Service refusals (``ValidationError`` with field names and stable codes) are put back on
these forms with :func:`add_service_errors`, so the same messages the API gives appear under
the fields here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budgeting.models import BallotFormat, BudgetRound, DistrictBudget, Project
from budgeting.models.implementation import ImplementationStatus
from engagement.ideas.models import Idea, IdeaStatus, ParticipatoryProcess, ProcessKind
from engagement.ideas.services.review import DECISIONS
from engagement.money import to_minor


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Attach a service's ``ValidationError`` to ``form``: known fields get their messages,
    anything else (``phase``, ``status``, ``target``…) goes to the form's summary."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = aliases.get(name, name)
        form.add_error(target if target in form.fields else None, errors)


# --- review -------------------------------------------------------------------------------


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


# --- moderation ---------------------------------------------------------------------------


class ModerationForm(forms.Form):
    ACTIONS = (("hide", _("Hide")), ("restore", _("Restore")), ("dismiss", _("Dismiss reports")))

    action = forms.ChoiceField(choices=ACTIONS)
    target = forms.ChoiceField(choices=(("idea", _("Idea")), ("comment", _("Comment"))))
    target_id = forms.IntegerField(min_value=1)
    note = forms.CharField(
        label=_("Public note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown in place of hidden content and sent to its author."),
    )


# --- paper ballots ------------------------------------------------------------------------


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


# --- implementation -----------------------------------------------------------------------


class ImplementationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ImplementationStatus.choices)
    # The range is checked by the service (progress_out_of_range), so its message shows.
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
    )


IMAGE_SLOTS = 3


class ImplementationUpdateForm(forms.Form):
    happened_on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When it happened; today if empty. Not in the future."),
    )
    text = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text=_("Public. Paragraphs, bold, lists and links are kept; other markup removed."),
    )
    status = forms.ChoiceField(
        label=_("New status"),
        required=False,
        choices=[("", _("Unchanged")), *list(ImplementationStatus.choices)],
    )
    progress = forms.IntegerField(
        label=_("New progress (%)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for slot in range(1, IMAGE_SLOTS + 1):
            self.fields[f"image_{slot}"] = forms.FileField(
                label=_("Photo %(n)s") % {"n": slot},
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "image/jpeg,image/png,image/webp"}
                ),
            )
            self.fields[f"alt_{slot}"] = forms.CharField(
                label=_("Description of photo %(n)s") % {"n": slot},
                required=False,
                max_length=300,
                help_text=_("What the photo shows, for people who cannot see it."),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for slot in range(1, IMAGE_SLOTS + 1):
            if data.get(f"image_{slot}") and not (data.get(f"alt_{slot}") or "").strip():
                self.add_error(f"alt_{slot}", _("Describe the photo."))
        return data

    def image_slots(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"image_{n}"], self[f"alt_{n}"]) for n in range(1, IMAGE_SLOTS + 1)]

    def uploads(self) -> list[tuple[Any, str]]:
        return [
            (self.cleaned_data[f"image_{n}"], self.cleaned_data.get(f"alt_{n}", ""))
            for n in range(1, IMAGE_SLOTS + 1)
            if self.cleaned_data.get(f"image_{n}")
        ]
