"""Who may do what with a workshop: role x organisation x workshop.

Staff (the organisation's administrators) create, edit, cancel and copy workshops, check
people in and publish outcomes. Facilitators (people named on the workshop, or
administrators) run its board; moderators of the organisation may hide notes too. Residents
see a workshop once it is published (a cancelled one stays visible, marked cancelled);
drafts are for staff. Services call these and say why when they refuse.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from engagement.people import permissions
from engagement.people.models import Organisation
from workshops.models import Workshop, WorkshopStatus


def can_manage(user: Any, organisation: Organisation | int) -> bool:
    """Create, edit, publish, cancel and copy workshops; minutes, photos, attendance."""
    return permissions.can_manage_organisation(user, organisation)


def is_facilitator(user: Any, workshop: Workshop) -> bool:
    """Named on the workshop as a facilitator (not counting administrators)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.pk is None:  # the system actor is no one's facilitator, but manages everything
        return False
    return workshop.facilitators.filter(pk=user.pk).exists()


def can_facilitate(user: Any, workshop: Workshop) -> bool:
    """Run the board: prompts, stage, clusters, timer, join code, exports."""
    return can_manage(user, workshop.organisation_id) or is_facilitator(user, workshop)


def can_moderate_board(user: Any, workshop: Workshop) -> bool:
    """Hide and show notes: facilitators, and the organisation's moderators."""
    return can_facilitate(user, workshop) or permissions.can_moderate(
        user, workshop.organisation_id
    )


def can_see(user: Any, workshop: Workshop) -> bool:
    """Published (or cancelled after publication) workshops are public; drafts are staff's.
    Facilitators of a draft see it too: they prepare its board."""
    if workshop.status != WorkshopStatus.DRAFT:
        return True
    return permissions.is_staff_of(user, workshop.organisation_id) or is_facilitator(user, workshop)


def can_check_in(user: Any, workshop: Workshop) -> bool:
    """Tick people off at the door: staff, and the workshop's facilitators."""
    return can_facilitate(user, workshop)


def require_manager(user: Any, organisation: Organisation | int) -> None:
    if not can_manage(user, organisation):
        raise PermissionDenied(_("Only the organisation's administrators may do this."))


def require_check_in(user: Any, workshop: Workshop) -> None:
    if not can_check_in(user, workshop):
        raise PermissionDenied(
            _("Only the workshop's facilitators and the organisation's administrators may do this.")
        )
