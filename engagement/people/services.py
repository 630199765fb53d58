"""Writes for organisations, staff roles and resident profiles.

Each service validates, then writes in one transaction. Permission is checked here too
(``actor`` is the person asking), so the API, the pages and management commands share
one rule. Failures raise ``ValidationError`` (bad input, with field names) or
``PermissionDenied``.
"""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from engagement.content import images
from engagement.people import permissions
from engagement.people.models import (
    District,
    Membership,
    Organisation,
    Residence,
    ResidentProfile,
    Role,
)


def _full_clean(instance: Any, **kwargs: Any) -> None:
    instance.full_clean(**kwargs)


@transaction.atomic
def organisation_create(
    *, actor: Any, name: str, slug: str, country: str, **fields: Any
) -> Organisation:
    """A new organisation: the platform's operators (or the system, when seeding) only."""
    if not permissions.is_platform_admin(actor):
        # Not translated: no page or API adds organisations; operators read this in a shell.
        raise PermissionDenied("Only operators of the platform can add organisations.")
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
    if "brand_colour" in fields:
        _require_readable_brand(organisation.brand_colour)
    organisation.save()
    return organisation


def contrast_with_white(colour: str) -> float:
    """WCAG 2.1 contrast ratio of white text on ``colour`` (``#rrggbb``)."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


# Buttons put white text on the brand colour: WCAG AA needs 4.5:1 for normal text.
MIN_BRAND_CONTRAST = 4.5


def _require_readable_brand(colour: str) -> None:
    ratio = contrast_with_white(colour)
    if ratio < MIN_BRAND_CONTRAST:
        raise ValidationError(
            {
                "brand_colour": ValidationError(
                    _(
                        "White text on this colour has a contrast of %(ratio)s:1; choose a "
                        "darker colour (at least %(minimum)s:1) so buttons stay readable."
                    )
                    % {"ratio": f"{ratio:.1f}", "minimum": MIN_BRAND_CONTRAST},
                    code="low_contrast",
                )
            }
        )


def organisation_branding_update(
    *,
    actor: Any,
    organisation: Organisation,
    brand_colour: str,
    website: str = "",
    logo: IO[bytes] | None = None,
    remove_logo: bool = False,
) -> Organisation:
    """Set the colour, website and logo residents see on the organisation's pages.

    The colour must keep white text readable (AA contrast); the logo is checked and
    re-encoded like every uploaded image (real type, size, pixels; metadata dropped).
    """
    if not permissions.can_manage_organisation(actor, organisation):
        raise PermissionDenied(_("Only administrators of this organisation can change it."))
    colour = (brand_colour or "").strip().lower()
    Organisation._meta.get_field("brand_colour").run_validators(colour)
    _require_readable_brand(colour)
    clean = None
    if logo is not None:
        try:
            clean = images.clean_image(logo)
        except ValidationError as error:
            raise ValidationError({"logo": error.message_dict["image"]}) from None
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        locked.brand_colour = colour
        locked.website = website
        _full_clean(locked, exclude=["logo"])
        old_logo = locked.logo.name if locked.logo else ""
        if clean is not None:
            locked.logo.save(clean.content.name, clean.content, save=False)
        elif remove_logo:
            locked.logo = ""
        locked.save()
        if old_logo and old_logo != (locked.logo.name if locked.logo else ""):
            storage, name = locked.logo.storage, old_logo
            transaction.on_commit(lambda: storage.delete(name))
    return locked


@transaction.atomic
def district_create(*, actor: Any, organisation: Organisation, name: str, slug: str) -> District:
    if not permissions.can_manage_organisation(actor, organisation):
        raise PermissionDenied(_("Only administrators of this organisation can change it."))
    district = District(organisation=organisation, name=name, slug=slug)
    _full_clean(district)
    district.save()
    return district


def require_role_granter(actor: Any, organisation: Organisation, *, revoking: bool = False) -> None:
    """Administrators of the organisation grant and revoke its staff roles."""
    if not permissions.can_manage_organisation(actor, organisation):
        if revoking:
            raise PermissionDenied(_("Only administrators of this organisation can revoke roles."))
        raise PermissionDenied(_("Only administrators of this organisation can grant roles."))


@transaction.atomic
def membership_grant(*, actor: Any, organisation: Organisation, user: Any, role: str) -> Membership:
    """Give ``user`` a staff role. Idempotent. Seeding grants as ``permissions.SYSTEM``,
    recorded as granted by nobody."""
    require_role_granter(actor, organisation)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")}, code="unknown_role")
    membership, _created = Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        role=role,
        defaults={"granted_by": permissions.person_or_none(actor)},
    )
    permissions.forget_roles(user)
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, organisation: Organisation, user: Any, role: str) -> None:
    require_role_granter(actor, organisation, revoking=True)
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
