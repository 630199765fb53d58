"""Who may do what in an organisation: small predicates over (user, organisation).

Every predicate answers for one organisation only, so staff of organisation A never gain
anything in organisation B. Phase-dependent rules (e.g. "may vote now") are built on top
of these in the packages that own the phases.

A user's roles are loaded once per user object (one query for all organisations) and
cached on it, so checking many objects in one request costs no extra queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engagement.people.models import Membership, Role

if TYPE_CHECKING:
    from engagement.people.models import Organisation

_CACHE_ATTR = "_kopa_roles_by_organisation"


class SystemActor:
    """The platform acting on its own behalf: the phase scheduler, the demo seed, imports and
    management commands. Services take it where they take a person (``actor=SYSTEM``), so
    a permission check is never skipped by leaving the actor out; it holds every role in
    every organisation and is recorded as nobody (``person_or_none``)."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def person_or_none(actor: Any) -> Any:
    """The person to record as having acted: ``None`` for the system."""
    return None if isinstance(actor, SystemActor) else actor


def _organisation_id(organisation: Organisation | int) -> int:
    return organisation if isinstance(organisation, int) else organisation.pk


def is_platform_admin(user: Any) -> bool:
    """Operators of the install (superusers) may act in every organisation."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def roles_in(user: Any, organisation: Organisation | int) -> frozenset[str]:
    """The staff roles ``user`` holds in ``organisation`` (empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache: dict[int, frozenset[str]] | None = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        grouped: dict[int, set[str]] = {}
        for org_id, role in Membership.objects.filter(user_id=user.pk).values_list(
            "organisation_id", "role"
        ):
            grouped.setdefault(org_id, set()).add(role)
        cache = {org_id: frozenset(roles) for org_id, roles in grouped.items()}
        setattr(user, _CACHE_ATTR, cache)
    return cache.get(_organisation_id(organisation), frozenset())


def forget_roles(user: Any) -> None:
    """Drop the cached roles, after memberships of ``user`` changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user: Any, organisation: Organisation | int, *roles: str) -> bool:
    """True if the user holds any of ``roles`` there; administrators hold every role."""
    if is_platform_admin(user):
        return True
    held = roles_in(user, organisation)
    return Role.ADMINISTRATOR in held or any(role in held for role in roles)


def is_staff_of(user: Any, organisation: Organisation | int) -> bool:
    """Any staff role: may open the organisation's staff area."""
    return is_platform_admin(user) or bool(roles_in(user, organisation))


def can_manage_organisation(user: Any, organisation: Organisation | int) -> bool:
    """Change settings, districts, staff memberships and processes."""
    return has_role(user, organisation, Role.ADMINISTRATOR)


def has_role_somewhere(user: Any, *roles: str) -> bool:
    """Holds one of ``roles`` in some organisation (administrators hold every role), or
    runs the platform. Before the organisation is known — it may be named in a request
    body — this is the role check that can come first; which organisation is the services'
    question."""
    if is_platform_admin(user):
        return True
    return any(has_role(user, org_id, *roles) for org_id in staff_organisation_ids(user) or ())


def can_moderate(user: Any, organisation: Organisation | int) -> bool:
    return has_role(user, organisation, Role.MODERATOR)


def can_review(user: Any, organisation: Organisation | int) -> bool:
    """Assess feasibility and cost of ideas and projects."""
    return has_role(user, organisation, Role.REVIEWER)


def can_enter_paper_ballots(user: Any, organisation: Organisation | int) -> bool:
    return has_role(user, organisation, Role.OFFICER)


def staff_organisation_ids(user: Any) -> set[int] | None:
    """Ids of organisations where ``user`` is staff; ``None`` means all (platform admin)."""
    if is_platform_admin(user):
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    roles_in(user, 0)  # fills the cache
    return set(getattr(user, _CACHE_ATTR))
