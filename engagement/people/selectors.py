"""Reads for organisations and staff roles."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from engagement.people import permissions
from engagement.people.models import Membership, Organisation


def organisation_list() -> QuerySet[Organisation]:
    """Organisations shown to the public (every organisation on the install)."""
    return Organisation.objects.annotate(district_count=Count("districts")).order_by("name")


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__email", "role")
    )


def staff_roles_of(user: Any) -> list[dict[str, Any]]:
    """The organisations where ``user`` is staff, with the roles held in each."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows: dict[int, dict[str, Any]] = {}
    for membership in (
        Membership.objects.filter(user=user).select_related("organisation").order_by("role")
    ):
        org = membership.organisation
        entry = rows.setdefault(org.pk, {"organisation": org.slug, "name": org.name, "roles": []})
        entry["roles"].append(membership.role)
    return sorted(rows.values(), key=lambda r: r["organisation"])


def user_is_platform_admin(user: Any) -> bool:
    return permissions.is_platform_admin(user)
