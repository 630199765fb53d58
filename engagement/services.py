"""Writes for organisations, staff roles and resident profiles.

Each service validates, then writes in one transaction. Permission is checked here too
(``actor`` is the person asking), so the API, the pages and management commands share
one rule. Failures raise ``ValidationError`` (bad input, with field names) or
``PermissionDenied``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from engagement import permissions
from engagement.models import District, Membership, Organisation, Residence, ResidentProfile, Role


def _full_clean(instance: Any, **kwargs: Any) -> None:
    instance.full_clean(**kwargs)


@transaction.atomic
def organisation_create(*, name: str, slug: str, country: str, **fields: Any) -> Organisation:
    organisation = Organisation(name=name, slug=slug, country=country, **fields)
    _full_clean(organisation)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, actor: Any, organisation: Organisation, **fields: Any) -> Organisation:
    if not permissions.can_manage_organisation(actor, organisation):
        raise PermissionDenied(_("Only administrators of this organisation can change it."))
    for name, value in fields.items():
        setattr(organisation, name, value)
    _full_clean(organisation)
    organisation.save()
    return organisation


@transaction.atomic
def district_create(*, organisation: Organisation, name: str, slug: str) -> District:
    district = District(organisation=organisation, name=name, slug=slug)
    _full_clean(district)
    district.save()
    return district


@transaction.atomic
def membership_grant(
    *, actor: Any | None, organisation: Organisation, user: Any, role: str
) -> Membership:
    """Give ``user`` a staff role. Idempotent. ``actor=None`` is the system (seeding)."""
    if actor is not None and not permissions.can_manage_organisation(actor, organisation):
        raise PermissionDenied(_("Only administrators of this organisation can grant roles."))
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")}, code="unknown_role")
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"granted_by": actor}
    )
    permissions.forget_roles(user)
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, organisation: Organisation, user: Any, role: str) -> None:
    if not permissions.can_manage_organisation(actor, organisation):
        raise PermissionDenied(_("Only administrators of this organisation can revoke roles."))
    memberships = Membership.objects.select_for_update().filter(organisation=organisation)
    if role == Role.ADMINISTRATOR:
        administrators = list(
            memberships.filter(role=Role.ADMINISTRATOR).values_list("user_id", flat=True)
        )
        if administrators == [user.pk]:
            raise ValidationError(
                {"role": _("An organisation must keep at least one administrator.")},
                code="last_administrator",
            )
    memberships.filter(user=user, role=role).delete()
    permissions.forget_roles(user)


@transaction.atomic
def resident_profile_update(
    *, user: Any, birth_year: int | None = None, target_groups: list[str] | None = None
) -> ResidentProfile:
    profile, _created = ResidentProfile.objects.select_for_update().get_or_create(user=user)
    profile.birth_year = birth_year
    profile.target_groups = sorted(set(target_groups or []))
    _full_clean(profile, exclude=["user"])
    profile.save()
    return profile


@transaction.atomic
def residence_set(*, user: Any, organisation: Organisation, district: District | None) -> Residence:
    residence, _created = Residence.objects.select_for_update().get_or_create(
        user=user, organisation=organisation
    )
    residence.district = district
    _full_clean(residence, exclude=["user"])
    residence.save()
    return residence
