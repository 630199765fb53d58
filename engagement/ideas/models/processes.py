"""Participatory processes: a budget round's idea phase, or an idea collection without money.

A process belongs to one organisation and is of one of two kinds:

- ``budget``: linked one-to-one to a ``budgeting.BudgetRound``; its phase *is* the round's
  phase (ideas are submitted in the proposals phase and answered in the review phase).
- ``ideas``: an idea collection ("Ideas for the waterfront") with its own small phase set
  ``draft → collecting → reviewing → closed``. Staff move it forward, and optional dates
  move it forward by themselves: the phase in force is the later of the stored phase and
  the phase the dates have reached (``engagement.ideas.phases.collection_phase``).
"""

from __future__ import annotations

from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from engagement.people.models import Organisation


class ProcessKind(models.TextChoices):
    BUDGET = "budget", _("Participatory budget")
    IDEAS = "ideas", _("Idea collection")


class CollectionPhase(models.TextChoices):
    """Phases of an idea collection, in order."""

    DRAFT = "draft", _("Draft")
    COLLECTING = "collecting", _("Collecting ideas")
    REVIEWING = "reviewing", _("Reviewing ideas")
    CLOSED = "closed", _("Closed")


def validate_categories(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Categories must be a list of names."), code="invalid")
    cleaned = [v.strip() for v in value]
    if any(not v or len(v) > 80 for v in cleaned):
        raise ValidationError(
            _("Each category needs a name of at most 80 characters."), code="invalid_category"
        )
    if len({v.casefold() for v in cleaned}) != len(cleaned):
        raise ValidationError(_("Each category may be listed once."), code="duplicate_category")
    if len(cleaned) > 50:
        raise ValidationError(_("At most 50 categories."), code="too_many_categories")


class ParticipatoryProcess(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="processes"
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Rich text (a few tags); sanitised.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ProcessKind.choices)
    budget_round = models.OneToOneField(
        "budgeting.BudgetRound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="process",
        help_text=_("Budget processes only: the round whose phases this process follows."),
    )
    categories = models.JSONField(
        _("categories"),
        default=list,
        blank=True,
        validators=[validate_categories],
        help_text=_("Themes an idea may be filed under; empty: no categories."),
    )
    # Idea collections only; a budget process follows its round.
    phase = models.CharField(
        _("phase"),
        max_length=12,
        choices=CollectionPhase.choices,
        default=CollectionPhase.DRAFT,
        help_text=_("Idea collections: the phase staff moved it to (dates may move it further)."),
    )
    phase_changed_at = models.DateTimeField(null=True, blank=True)
    collecting_from = models.DateTimeField(_("collecting ideas from"), null=True, blank=True)
    reviewing_from = models.DateTimeField(_("reviewing ideas from"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("participatory process")
        verbose_name_plural = _("participatory processes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProcessKind.values), name="process_known_kind"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=CollectionPhase.values), name="process_known_phase"
            ),
            models.CheckConstraint(
                condition=(Q(kind=ProcessKind.BUDGET) & Q(budget_round__isnull=False))
                | (Q(kind=ProcessKind.IDEAS) & Q(budget_round__isnull=True)),
                name="process_round_iff_budget",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("frontend:process", args=[self.slug])

    @property
    def is_budget(self) -> bool:
        return self.kind == ProcessKind.BUDGET

    @property
    def currency(self) -> str:
        if self.is_budget and self.budget_round_id:
            return self.budget_round.currency
        return self.organisation.currency

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        if self.kind == ProcessKind.BUDGET:
            if self.budget_round_id is None:
                errors.setdefault("budget_round", []).append(
                    ValidationError(_("A budget process needs its round."), code="required")
                )
            elif self.budget_round.organisation_id != self.organisation_id:
                errors.setdefault("budget_round", []).append(
                    ValidationError(
                        _("This round belongs to another organisation."),
                        code="wrong_organisation",
                    )
                )
            if self.collecting_from or self.reviewing_from or self.closes_at:
                errors.setdefault("collecting_from", []).append(
                    ValidationError(
                        _("A budget process follows the dates of its round."),
                        code="not_allowed",
                    )
                )
        elif self.budget_round_id is not None:
            errors.setdefault("budget_round", []).append(
                ValidationError(
                    _("Only budget processes are linked to a round."), code="not_allowed"
                )
            )
        dates = [
            ("collecting_from", self.collecting_from),
            ("reviewing_from", self.reviewing_from),
            ("closes_at", self.closes_at),
        ]
        given = [(name, value) for name, value in dates if value is not None]
        for (_earlier, first), (later, second) in pairwise(given):
            if second <= first:
                errors.setdefault(later, []).append(
                    ValidationError(
                        _("Phase dates must follow each other in order."), code="dates_out_of_order"
                    )
                )
        if errors:
            raise ValidationError(errors)
