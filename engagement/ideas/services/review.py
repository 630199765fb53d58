"""The administration's answer to ideas: feasibility decisions, merging duplicates, and
turning accepted ideas of a budget process into ballot projects.

Reviewers of the organisation answer in the review phase. An accepted idea of a budget
process becomes a feasible project of its round through ``budgeting.ports.project_from_idea``
(the one door of this feature into budgeting). The author and followers are told of the new
status.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting import ports
from budgeting.ports import BudgetRound, DistrictBudget
from engagement.content import sanitise
from engagement.ideas.models import Idea, IdeaStatus, ProcessKind
from engagement.ideas.models.ideas import OPEN_STATUSES
from engagement.ideas.phases import Action
from engagement.ideas.services.checks import (
    NOTE_MAX,
    FieldErrors,
    copy_state,
    error,
    lock_idea,
    raise_errors,
    require_phase,
    require_reviewer,
    text_field,
)
from engagement.ideas.services.ideas import set_status
from engagement.people.permissions import person_or_none

# What a reviewer may answer: the idea's next status.
DECISIONS = (IdeaStatus.UNDER_REVIEW, IdeaStatus.ACCEPTED, IdeaStatus.REJECTED)


def _district_budget_for(budget_round: BudgetRound, idea: Idea, key: str | None) -> DistrictBudget:
    budgets = DistrictBudget.objects.filter(round=budget_round)
    if key:
        chosen = budgets.filter(key=key).first()
        if chosen is None:
            raise error(
                "district",
                _("This round has no district %(key)s."),
                "unknown_district",
                key=key,
            )
        return chosen
    chosen = None
    if idea.district_id is not None:
        chosen = budgets.filter(district_id=idea.district_id).first()
    chosen = chosen or budgets.filter(district__isnull=True).order_by("position").first()
    if chosen is None:
        raise error(
            "district",
            _("The round has no budget for this idea's district and no city-wide budget;"
              " choose a district."),
            "no_district_budget",
        )  # fmt: skip
    return chosen


def project_external_id(idea: Idea) -> str:
    """The ballot project id of an accepted idea: stable and traceable to the idea."""
    return f"idea-{idea.pk}"


def _create_project(
    reviewer: Any, idea: Idea, cost: int, district_key: str | None
) -> ports.Project:
    budget_round = idea.process.budget_round
    return ports.project_from_idea(
        reviewer=reviewer,
        budget_round=budget_round,
        district_budget=_district_budget_for(budget_round, idea, district_key),
        external_id=project_external_id(idea),
        title=idea.title,
        cost=cost,
        description=sanitise.text_of(idea.description),
        categories=[idea.category] if idea.category else [],
        latitude=idea.latitude,
        longitude=idea.longitude,
    )


@transaction.atomic
def idea_review(
    *,
    actor: Any,
    idea: Idea,
    decision: str,
    cost: int | None = None,
    public_reason: str = "",
    district: str | None = None,
) -> Idea:
    """The administration's answer: under review, accepted or rejected (with a reason).

    Accepting an idea of a budget process makes it a feasible ballot project of the round
    (``external_id`` ``idea-<id>``; the district budget of the idea's district, or the
    city-wide one, or ``district`` given as a round district key), with the reviewer's
    ``cost``. The author and followers are told of the new status.
    Rejected ideas may be reconsidered; accepted, merged and withdrawn ones are final.
    """
    locked = lock_idea(idea)
    require_reviewer(actor, locked.process.organisation_id)
    require_phase(locked.process, Action.REVIEW)
    if locked.status not in OPEN_STATUSES:
        raise error(
            "status",
            _("An idea that is %(status)s cannot be reviewed."),
            "not_reviewable",
            status=IdeaStatus(locked.status).label,
        )
    errors: FieldErrors = {}
    if decision not in DECISIONS:
        errors["decision"] = [ValidationError(_("Unknown decision."), code="invalid_choice")]
    reason = sanitise.plain_text(public_reason, multiline=True)
    text_field(errors, "public_reason", reason, NOTE_MAX)
    if decision == IdeaStatus.REJECTED and not reason:
        errors.setdefault("public_reason", []).append(
            ValidationError(_("Explain publicly why the idea is rejected."), code="reason_required")
        )
    if cost is not None and cost < 0:
        errors["cost"] = [ValidationError(_("A cost cannot be negative."), code="min_value")]
    if decision == IdeaStatus.ACCEPTED:
        if locked.hidden:
            errors.setdefault("status", []).append(
                ValidationError(_("Moderators hid this idea."), code="hidden")
            )
        if locked.process.kind == ProcessKind.BUDGET and cost is None:
            errors.setdefault("cost", []).append(
                ValidationError(
                    _("Give the administration's cost estimate for the ballot."),
                    code="required",
                )
            )
    if decision == locked.status and decision != IdeaStatus.UNDER_REVIEW:
        errors.setdefault("decision", []).append(
            ValidationError(_("The idea already has this status."), code="unchanged")
        )
    raise_errors(errors)
    if cost is not None:
        locked.admin_cost = cost
    locked.public_reason = reason
    locked.feasible = {IdeaStatus.ACCEPTED: True, IdeaStatus.REJECTED: False}.get(decision)
    locked.reviewed_by = person_or_none(actor)
    locked.reviewed_at = timezone.now()
    if decision == IdeaStatus.ACCEPTED and locked.process.kind == ProcessKind.BUDGET:
        assert cost is not None
        locked.project = _create_project(actor, locked, cost, district)
    changed = decision != locked.status
    set_status(
        locked,
        decision,
        actor=actor,
        notify_event="idea.status_changed" if changed else None,
    )
    locked.save()
    copy_state(locked, idea)
    idea.project = locked.project
    return idea


@transaction.atomic
def idea_merge(*, actor: Any, idea: Idea, into: Idea, public_reason: str = "") -> Idea:
    """Merge a duplicate into another idea of the same process.

    The duplicate keeps its text, comments and supports, and points to ``into``
    (``merged_into``); supports are *not* moved: people supported that text, and may
    support the other idea themselves. Its author and followers are told (``idea.merged``).
    """
    locked = lock_idea(idea)
    require_reviewer(actor, locked.process.organisation_id, merging=True)
    require_phase(locked.process, Action.MERGE)
    if locked.status not in OPEN_STATUSES:
        raise error(
            "status",
            _("An idea that is %(status)s cannot be merged."),
            "not_mergeable",
            status=IdeaStatus(locked.status).label,
        )
    reason = sanitise.plain_text(public_reason, multiline=True)
    errors: FieldErrors = {}
    text_field(errors, "public_reason", reason, NOTE_MAX)
    if into.pk == locked.pk:
        errors["into"] = [ValidationError(_("An idea cannot merge into itself."), code="same")]
    elif into.process_id != locked.process_id:
        errors["into"] = [
            ValidationError(_("Merge only ideas of the same process."), code="wrong_process")
        ]
    elif (
        not into.is_public
        or into.hidden
        or into.status
        in (
            IdeaStatus.MERGED,
            IdeaStatus.WITHDRAWN,
        )
    ):
        errors["into"] = [
            ValidationError(
                _("Merge into a visible idea that is not itself merged or withdrawn."),
                code="invalid_target",
            )
        ]
    raise_errors(errors)
    locked.merged_into = into
    locked.public_reason = reason
    locked.reviewed_by = person_or_none(actor)
    locked.reviewed_at = timezone.now()
    set_status(locked, IdeaStatus.MERGED, actor=actor, notify_event="idea.merged")
    locked.save()
    copy_state(locked, idea)
    idea.merged_into = into
    return idea
