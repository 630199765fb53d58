"""Designing a round: settings, district budgets, projects, review, phase changes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting import phases
from budgeting.models import (
    BudgetRound,
    DistrictBudget,
    Phase,
    PhaseSchedule,
    Project,
    ProjectStatus,
    TallyResult,
    TieBreak,
)
from budgeting.phases import Action
from budgeting.services import ballot_box
from engagement.people import permissions
from engagement.people.models import District, Organisation, Role

# Round settings staff may change while the round is being designed, in the order the API
# shows them; the API's serializers and the staff pages read this list.
ROUND_SETTINGS = (
    "ballot_format",
    "min_projects",
    "max_projects",
    "knapsack",
    "min_spend_percent",
    "points_budget",
    "max_points_per_project",
    "max_rank",
    "outcome_rule",
    "tie_break",
    "lottery_seed",
    "secret_ballot",
    "live_counts_public",
    "ballot_changes_allowed",
    "one_district_per_voter",
    "min_age",
    "residence_required",
    "verified_email_required",
)
# Settings where empty (null) means "no limit" or "none".
NULLABLE_SETTINGS = frozenset(
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
# Wording may be corrected at any time; nothing that changes how votes count.
ALWAYS_EDITABLE_FIELDS = frozenset({"title", "description", "translations"})
CONFIGURABLE_FIELDS = frozenset({*ALWAYS_EDITABLE_FIELDS, *ROUND_SETTINGS})
# Project fields staff may change after creating it; all but the wording lock with
# Action.EDIT_PROJECTS (from voting on, voters chose by cost, place and budget).
PROJECT_EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "translations",
        "cost",
        "district_budget",
        "categories",
        "targets",
        "latitude",
        "longitude",
    }
)


def require_admin(actor: Any, organisation: Organisation | None = None) -> None:
    """Administrators of ``organisation`` (``None``: of some organisation) may design rounds;
    so may the system (``permissions.SYSTEM``), which holds every role. Nobody else: a
    missing actor (``None``) is refused. The API asks before it reads the request body."""
    if organisation is None:
        allowed = permissions.has_role_somewhere(actor, Role.ADMINISTRATOR)
    else:
        allowed = permissions.can_manage_organisation(actor, organisation)
    if not allowed:
        raise PermissionDenied(_("Only administrators of this organisation can do this."))


def require_reviewer(actor: Any, organisation: Organisation) -> None:
    if not permissions.can_review(actor, organisation):
        raise PermissionDenied(_("Only reviewers of this organisation can review projects."))


def _require_phase(budget_round: BudgetRound, action: Action) -> None:
    if not phases.allows(budget_round.phase, action):
        raise ValidationError(
            {
                "phase": ValidationError(
                    _("Not possible in the %(phase)s phase."),
                    code="wrong_phase",
                    params={"phase": budget_round.get_phase_display()},
                )
            }
        )


def _validate_round(budget_round: BudgetRound) -> None:
    limit = budget_round.max_projects
    if limit is not None and isinstance(budget_round.min_projects, int):
        # Said at the field before the database constraint's own, technical message.
        if limit == 0:
            raise ValidationError(
                {
                    "max_projects": ValidationError(
                        _("Use at least 1, or leave empty for no limit."), code="min_value"
                    )
                }
            )
        if limit < budget_round.min_projects:
            raise ValidationError(
                {
                    "max_projects": ValidationError(
                        _("The maximum cannot be below the minimum of %(minimum)s."),
                        code="below_minimum",
                        params={"minimum": budget_round.min_projects},
                    )
                }
            )
    budget_round.full_clean(exclude=["organisation"])
    errors: dict[str, list[ValidationError]] = {}
    fmt = budget_round.ballot_format
    if fmt == "cumulative" and not budget_round.points_budget:
        errors.setdefault("points_budget", []).append(
            ValidationError(_("Cumulative ballots need a number of points."), code="required")
        )
    if fmt != "cumulative" and (budget_round.points_budget or budget_round.max_points_per_project):
        errors.setdefault("points_budget", []).append(
            ValidationError(_("Only cumulative ballots use points."), code="not_allowed")
        )
    if fmt != "ordinal" and budget_round.max_rank:
        errors.setdefault("max_rank", []).append(
            ValidationError(_("Only ranking ballots have a rank limit."), code="not_allowed")
        )
    for name in ("max_projects", "max_rank"):
        if getattr(budget_round, name) == 0:
            errors.setdefault(name, []).append(
                ValidationError(_("Use at least 1, or leave empty for no limit."), code="min_value")
            )
    most = {"choose-1": 1, "ordinal": budget_round.max_rank}.get(fmt)
    if most and budget_round.min_projects > most:
        errors.setdefault("min_projects", []).append(
            ValidationError(
                _("A ballot of this format holds at most %(maximum)s projects."),
                code="above_maximum",
                params={"maximum": most},
            )
        )
    if fmt != "approval" and (budget_round.knapsack or budget_round.min_spend_percent):
        errors.setdefault("knapsack", []).append(
            ValidationError(_("Only approval ballots can be limited by cost."), code="not_allowed")
        )
    if budget_round.tie_break == TieBreak.LOTTERY and budget_round.lottery_seed is None:
        errors.setdefault("lottery_seed", []).append(
            ValidationError(_("A lottery tie-break needs a published seed."), code="required")
        )
    if budget_round.currency != budget_round.organisation.currency and not budget_round.source_meta:
        errors.setdefault("currency", []).append(
            ValidationError(_("Use the organisation's currency."), code="currency_mismatch")
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_create(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    slug: str,
    citywide_budget: int | None = None,
    district_budgets: Iterable[tuple[District, int]] = (),
    **settings: Any,
) -> BudgetRound:
    """A new round in draft, with a city-wide pot and/or per-district budgets."""
    require_admin(actor, organisation)
    unknown = set(settings) - CONFIGURABLE_FIELDS - {"currency", "source_meta"}
    if unknown:
        raise ValidationError({name: _("Unknown setting.") for name in sorted(unknown)})
    budget_round = BudgetRound(
        organisation=organisation,
        title=title,
        slug=slug,
        currency=settings.pop("currency", organisation.currency),
        **settings,
    )
    _validate_round(budget_round)
    district_budgets = list(district_budgets)
    if citywide_budget is None and not district_budgets:
        raise ValidationError(
            {
                "citywide_budget": ValidationError(
                    _("Give a city-wide budget or at least one district budget."), code="no_budget"
                )
            }
        )
    budget_round.save()
    # The administrator was checked above, and a new round is in draft: add the budgets.
    if citywide_budget is not None:
        _district_budget_add(
            budget_round=budget_round,
            key="city",
            name=_("City-wide"),
            budget=citywide_budget,
        )
    for position, (district, amount) in enumerate(district_budgets, start=1):
        _district_budget_add(
            budget_round=budget_round,
            key=district.slug,
            name=district.name,
            district=district,
            budget=amount,
            position=position,
        )
    return budget_round


@transaction.atomic
def round_update(*, actor: Any, budget_round: BudgetRound, **changes: Any) -> BudgetRound:
    require_admin(actor, budget_round.organisation)
    unknown = set(changes) - CONFIGURABLE_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown setting.") for name in sorted(unknown)})
    if set(changes) - ALWAYS_EDITABLE_FIELDS:
        _require_phase(budget_round, Action.CONFIGURE)
    for name, value in changes.items():
        setattr(budget_round, name, value)
    _validate_round(budget_round)
    budget_round.save()
    return budget_round


@transaction.atomic
def district_budget_create(
    *,
    actor: Any,
    budget_round: BudgetRound,
    key: str,
    name: str,
    budget: int,
    district: District | None = None,
    position: int = 0,
) -> DistrictBudget:
    """A further budget (city-wide pot or a district's) while the round is being designed."""
    require_admin(actor, budget_round.organisation)
    _require_phase(budget_round, Action.CONFIGURE)
    return _district_budget_add(
        budget_round=budget_round,
        key=key,
        name=name,
        budget=budget,
        district=district,
        position=position,
    )


def _district_budget_add(
    *,
    budget_round: BudgetRound,
    key: str,
    name: str,
    budget: int,
    district: District | None = None,
    position: int = 0,
) -> DistrictBudget:
    """The write behind :func:`district_budget_create` and :func:`round_create`, which
    checked the administrator and the phase first."""
    if district is not None and district.organisation_id != budget_round.organisation_id:
        raise ValidationError(
            {
                "district": ValidationError(
                    _("This district belongs to another organisation."), code="wrong_organisation"
                )
            }
        )
    district_budget = DistrictBudget(
        round=budget_round, key=key, name=name, district=district, budget=budget, position=position
    )
    district_budget.full_clean()
    district_budget.save()
    return district_budget


@transaction.atomic
def district_budget_update(
    *,
    actor: Any,
    district_budget: DistrictBudget,
    name: str | None = None,
    budget: int | None = None,
) -> DistrictBudget:
    """Rename a district budget or change its amount, while the round is being designed."""
    budget_round = district_budget.round
    require_admin(actor, budget_round.organisation)
    _require_phase(budget_round, Action.CONFIGURE)
    if name is not None:
        district_budget.name = name
    if budget is not None:
        district_budget.budget = budget
    district_budget.full_clean()
    district_budget.save()
    return district_budget


@transaction.atomic
def district_budget_delete(*, actor: Any, district_budget: DistrictBudget) -> None:
    """Remove a district budget that has no projects yet (its projects would be orphaned)."""
    budget_round = district_budget.round
    require_admin(actor, budget_round.organisation)
    _require_phase(budget_round, Action.CONFIGURE)
    if district_budget.projects.exists():
        raise ValidationError(
            {
                "district": ValidationError(
                    _("Move or remove its projects first."), code="has_projects"
                )
            }
        )
    if budget_round.districts.count() <= 1:
        raise ValidationError(
            {
                "district": ValidationError(
                    _("A round needs at least one budget."), code="last_budget"
                )
            }
        )
    district_budget.delete()


def _require_round_district(budget_round: BudgetRound, district_budget: DistrictBudget) -> None:
    if district_budget.round_id != budget_round.pk:
        raise ValidationError(
            {"district": ValidationError(_("Not a district of this round."), code="wrong_round")}
        )


@transaction.atomic
def project_create(
    *,
    actor: Any,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    external_id: str,
    title: str,
    cost: int,
    status: str = ProjectStatus.PROPOSED,
    **fields: Any,
) -> Project:
    require_admin(actor, budget_round.organisation)
    _require_phase(budget_round, Action.EDIT_PROJECTS)
    _require_round_district(budget_round, district_budget)
    project = Project(
        round=budget_round,
        district_budget=district_budget,
        external_id=external_id,
        title=title,
        cost=cost,
        status=status,
        **fields,
    )
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def project_update(*, actor: Any, project: Project, **changes: Any) -> Project:
    """Correct a project: wording at any time, the rest while the phase allows editing.

    A locked field sent with its current value is no change and passes (a client may send
    the whole project back); a different value is refused at that field (code
    ``locked_in_phase``). Locks the round first, like :func:`phase_advance`, so the phase
    cannot change between the check and the save. The project's idea link is untouched.
    """
    budget_round = BudgetRound.objects.select_for_update().get(pk=project.round_id)
    require_admin(actor, budget_round.organisation)
    unknown = set(changes) - PROJECT_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    locked = (
        Project.objects.select_for_update().select_related("district_budget").get(pk=project.pk)
    )
    if not phases.allows(budget_round.phase, Action.EDIT_PROJECTS):
        refused = sorted(
            name
            for name, value in changes.items()
            if name not in ALWAYS_EDITABLE_FIELDS and _differs(locked, name, value)
        )
        if refused:
            raise ValidationError(
                {
                    name: ValidationError(
                        _("This cannot change in the %(phase)s phase."),
                        code="locked_in_phase",
                        params={"phase": budget_round.get_phase_display()},
                    )
                    for name in refused
                }
            )
    if "district_budget" in changes:
        _require_round_district(budget_round, changes["district_budget"])
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.round = budget_round
    locked.full_clean()
    locked.save()
    return locked


def _differs(project: Project, name: str, value: Any) -> bool:
    if name == "district_budget":
        return getattr(value, "pk", value) != project.district_budget_id
    return value != getattr(project, name)


@transaction.atomic
def project_review(
    *,
    actor: Any,
    project: Project,
    feasible: bool,
    cost: int | None = None,
    public_reason: str = "",
) -> Project:
    """The administration's verdict: feasible (with its own cost estimate) or rejected."""
    budget_round = project.round
    require_reviewer(actor, budget_round.organisation)
    _require_phase(budget_round, Action.REVIEW_PROJECTS)
    if not feasible and not public_reason.strip():
        raise ValidationError(
            {
                "public_reason": ValidationError(
                    _("Explain publicly why the project is rejected."), code="reason_required"
                )
            }
        )
    project.status = ProjectStatus.FEASIBLE if feasible else ProjectStatus.REJECTED
    project.public_reason = public_reason.strip()
    if cost is not None:
        project.cost = cost
    project.full_clean()
    project.save()
    return project


def _enter_voting(budget_round: BudgetRound) -> None:
    """Feasible projects go on the ballot; every district budget must offer something."""
    empty = [
        d.name
        for d in budget_round.districts.all()
        if not d.projects.filter(
            status__in=[ProjectStatus.FEASIBLE, ProjectStatus.ON_BALLOT]
        ).exists()
    ]
    if empty:
        raise ValidationError(
            {
                "phase": ValidationError(
                    _("No feasible projects for: %(districts)s."),
                    code="empty_ballot",
                    params={"districts": ", ".join(empty)},
                )
            }
        )
    budget_round.projects.filter(status=ProjectStatus.FEASIBLE).update(
        status=ProjectStatus.ON_BALLOT
    )


def _enter_results(budget_round: BudgetRound) -> None:
    unpublished = [
        d.name
        for d in budget_round.districts.all()
        if not TallyResult.objects.filter(district_budget=d, published_at__isnull=False).exists()
    ]
    if unpublished:
        raise ValidationError(
            {
                "phase": ValidationError(
                    _("Publish results first for: %(districts)s."),
                    code="results_not_published",
                    params={"districts": ", ".join(unpublished)},
                )
            }
        )


ENTRY_CHECKS = {Phase.VOTING: _enter_voting, Phase.RESULTS: _enter_results}


@transaction.atomic
def phase_advance(*, actor: Any, budget_round: BudgetRound, to_phase: str) -> BudgetRound:
    """Move the round to ``to_phase`` if the phase machine and its entry checks allow it.

    An administrator, or the scheduler as ``permissions.SYSTEM``. Locks the round so two
    staff clicks cannot race.
    """
    require_admin(actor, budget_round.organisation)
    locked = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
    if not phases.can_move(locked.phase, to_phase):
        raise ValidationError(
            {
                "phase": ValidationError(
                    _("A round cannot move from %(current)s to %(target)s."),
                    code="invalid_transition",
                    params={"current": locked.phase, "target": to_phase},
                )
            }
        )
    check = ENTRY_CHECKS.get(to_phase)
    if check is not None:
        check(locked)
    if to_phase == Phase.RESULTS:
        # No ballot can arrive any more: open the box, all of it at once.
        ballot_box.box_open(locked)
    locked.phase = to_phase
    locked.phase_changed_at = timezone.now()
    locked.save(update_fields=["phase", "phase_changed_at", "updated_at"])
    PhaseSchedule.objects.filter(round=locked, phase=to_phase, done_at__isnull=True).update(
        done_at=locked.phase_changed_at
    )
    budget_round.phase = locked.phase
    budget_round.phase_changed_at = locked.phase_changed_at
    return budget_round


@transaction.atomic
def phase_schedule_set(
    *, actor: Any, budget_round: BudgetRound, phase: str, starts_at: datetime | None
) -> None:
    require_admin(actor, budget_round.organisation)
    if phase not in Phase.values:
        raise ValidationError({"phase": ValidationError(_("Unknown phase."), code="unknown_phase")})
    if starts_at is None:
        PhaseSchedule.objects.filter(round=budget_round, phase=phase).delete()
        return
    PhaseSchedule.objects.update_or_create(
        round=budget_round, phase=phase, defaults={"starts_at": starts_at, "done_at": None}
    )


def scheduled_phases_run(now: datetime | None = None) -> list[tuple[str, str]]:
    """Advance every round whose next scheduled phase is due. Returns (round, phase) moved.

    The scheduler acts as the system (``permissions.SYSTEM``): staff set the schedule, so
    the move itself needs no person. Safe to run concurrently and repeatedly: each move
    locks its round and re-checks.
    """
    now = now or timezone.now()
    moved = []
    due = (
        PhaseSchedule.objects.filter(done_at__isnull=True, starts_at__lte=now)
        .select_related("round", "round__organisation")
        .order_by("starts_at")
    )
    current: dict[int, str] = {}  # each entry loads its own copy of the round
    for entry in due:
        budget_round = entry.round
        budget_round.phase = current.get(budget_round.pk, budget_round.phase)
        if not phases.can_move(budget_round.phase, entry.phase):
            continue
        try:
            phase_advance(actor=permissions.SYSTEM, budget_round=budget_round, to_phase=entry.phase)
        except ValidationError:
            continue  # entry checks failed; staff see the phase did not change
        current[budget_round.pk] = budget_round.phase
        moved.append((budget_round.slug, entry.phase))
    return moved
