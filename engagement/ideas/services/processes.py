"""Writes for participatory processes: create, change settings, move an idea collection on.

Administrators of the organisation run processes; the platform itself passes
``engagement.people.permissions.SYSTEM`` (seeding, imports). A budget process is the idea
phase of a budget round and follows the round's phases; an idea collection has its own.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting.ports import BudgetRound
from engagement.content import sanitise
from engagement.ideas import permissions as rules
from engagement.ideas import phases
from engagement.ideas.models import CollectionPhase, Idea, ParticipatoryProcess, ProcessKind
from engagement.ideas.services.checks import error, require_process_admin
from engagement.people.models import Organisation

PROCESS_FIELDS = frozenset(
    {"title", "description", "categories", "collecting_from", "reviewing_from", "closes_at"}
)


def _clean_process_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    if "title" in cleaned:
        cleaned["title"] = sanitise.plain_text(cleaned["title"])
    if "description" in cleaned:
        cleaned["description"] = sanitise.rich_text(cleaned["description"])
    if "categories" in cleaned and isinstance(cleaned["categories"], list):
        cleaned["categories"] = [
            sanitise.plain_text(c) if isinstance(c, str) else c for c in cleaned["categories"]
        ]
    return cleaned


@transaction.atomic
def process_create(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    slug: str,
    title: str = "",
    budget_round: BudgetRound | None = None,
    **fields: Any,
) -> ParticipatoryProcess:
    """A new process: an idea collection (in draft) or the idea phase of a budget round.

    ``actor`` is an administrator of the organisation, or ``SYSTEM`` (seeding, imports).
    One process per round.
    """
    require_process_admin(actor, organisation)
    unknown = set(fields) - PROCESS_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown setting.") for name in sorted(unknown)})
    if kind == ProcessKind.BUDGET and budget_round is not None and not title:
        title = budget_round.title
    process = ParticipatoryProcess(
        organisation=organisation,
        kind=kind,
        slug=slug,
        budget_round=budget_round,
        **_clean_process_fields({"title": title, **fields}),
    )
    process.full_clean()
    process.save()
    return process


@transaction.atomic
def process_update(
    *, actor: Any, process: ParticipatoryProcess, **changes: Any
) -> ParticipatoryProcess:
    require_process_admin(actor, process.organisation_id)
    unknown = set(changes) - PROCESS_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown setting.") for name in sorted(unknown)})
    locked = ParticipatoryProcess.objects.select_for_update().get(pk=process.pk)
    locked.organisation = process.organisation
    locked.budget_round = process.budget_round
    removed = set(locked.categories) - set(changes.get("categories", locked.categories))
    for name, value in _clean_process_fields(changes).items():
        setattr(locked, name, value)
    locked.full_clean()
    if removed and Idea.objects.filter(process=locked, category__in=removed).exists():
        raise error(
            "categories",
            _("Ideas are filed under a category you removed; keep it."),
            "category_in_use",
        )
    locked.save()
    for name in (*PROCESS_FIELDS, "updated_at"):
        setattr(process, name, getattr(locked, name))
    return process


@transaction.atomic
def process_phase_advance(
    *, actor: Any, process: ParticipatoryProcess, to_phase: str
) -> ParticipatoryProcess:
    """Move an idea collection forward (a budget process follows its round).

    ``actor`` is an administrator of the organisation, or ``SYSTEM``.
    """
    require_process_admin(actor, process.organisation_id)
    if process.kind != ProcessKind.IDEAS:
        raise error(
            "phase",
            _("A budget process follows the phases of its round."),
            "follows_round",
        )
    locked = ParticipatoryProcess.objects.select_for_update().get(pk=process.pk)
    current = rules.current_phase(locked)
    if to_phase not in CollectionPhase.values or not phases.can_move_collection(current, to_phase):
        raise error(
            "phase",
            _("A process cannot move from %(current)s to %(target)s."),
            "invalid_transition",
            current=current,
            target=to_phase,
        )
    locked.phase = to_phase
    locked.phase_changed_at = timezone.now()
    locked.save(update_fields=["phase", "phase_changed_at", "updated_at"])
    process.phase, process.phase_changed_at = locked.phase, locked.phase_changed_at
    return process
