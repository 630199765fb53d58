"""A person's own data: download all of it, or delete the account.

**Export** (:func:`personal_data_export`) gathers everything stored about the user as plain
JSON-ready data: account, e-mail addresses, resident profile, residences, staff roles,
participations in budget rounds, notifications and preferences, followed projects and ideas,
ideas, comments, supports and reports. In **secret** rounds it says *that* and *where* the
person voted, never *what*: the ballot is not linked to them, so it cannot be exported.

**Deletion** (:func:`account_delete`), after the password is confirmed:

- Ballots stay counted and tallies do not change. Each ``Participation`` loses its link to
  the account (``voter`` set to NULL) but keeps its ``voter_key`` (``user:<id>`` of an
  account that no longer exists — ids are never reused), so one-person-one-vote still
  holds in the round: the constraints on ``(district_budget, voter_key)`` and the
  one-district rule keep working for the rows that remain.
- Authored content stays, anonymised: ideas, comments, reports, moderation-log entries and
  implementation updates keep their text with no author ("deleted user").
- Removed with the account: profile, residences, staff roles, e-mail addresses,
  notifications (received) and notification preferences, follows and supports (a support is
  a personal endorsement, counted per living account).
- Refused (400) when the person is the last administrator of an organisation
  (``last_administrator``: appoint another first) or entered paper ballots as an officer
  (``paper_ballot_records``: those entries are the audit trail of a count).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.notifications import services as notifications
from engagement.notifications.models import Notification
from engagement.people import permissions
from engagement.people.models import Membership, Organisation, Residence, ResidentProfile, Role

FORMAT_VERSION = 1

# --- what features add ------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One key of the export: ``export(user)`` gives its JSON-ready value."""

    name: str
    export: Callable[[Any], Any]
    position: int


_sections: dict[str, Section] = {}
# user -> a refusal (ValidationError) when the account cannot be deleted yet, else None.
_deletion_checks: list[Callable[[Any], ValidationError | None]] = []
# user -> None: what to unlink or anonymise just before the account row goes.
_before_deletion: list[Callable[[Any], None]] = []


def register_section(name: str, export: Callable[[Any], Any], *, position: int) -> None:
    """A feature's data about a person, exported under ``name`` (sections sort by position)."""
    _sections[name] = Section(name, export, position)


def register_deletion_check(check: Callable[[Any], ValidationError | None]) -> None:
    if check not in _deletion_checks:
        _deletion_checks.append(check)


def register_before_deletion(step: Callable[[Any], None]) -> None:
    if step not in _before_deletion:
        _before_deletion.append(step)


def refusal(message: str, code: str, **params: Any) -> ValidationError:
    """A deletion refused for the reason ``code`` (400 on the ``account`` field)."""
    return ValidationError({"account": ValidationError(message, code=code, params=params)})


def iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


# --- export ----------------------------------------------------------------------------------


def _account(user: Any) -> dict[str, Any]:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "language": user.language,
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
        "is_active": user.is_active,
    }


def _email_addresses(user: Any) -> list[dict[str, Any]]:
    return [
        {"email": e.email, "verified": e.verified, "primary": e.primary}
        for e in EmailAddress.objects.filter(user=user).order_by("pk")
    ]


def _profile(user: Any) -> dict[str, Any] | None:
    profile = ResidentProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    return {
        "birth_year": profile.birth_year,
        "target_groups": profile.target_groups,
        "updated_at": iso(profile.updated_at),
    }


def _residences(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "organisation": r.organisation.slug,
            "district": r.district.slug if r.district_id else None,
            "updated_at": iso(r.updated_at),
        }
        for r in Residence.objects.filter(user=user).select_related("organisation", "district")
    ]


def _memberships(user: Any) -> list[dict[str, Any]]:
    return [
        {"organisation": m.organisation.slug, "role": m.role, "since": iso(m.created_at)}
        for m in Membership.objects.filter(user=user).select_related("organisation")
    ]


def _notifications(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "event": n.event,
            "target": f"{n.content_type.app_label}.{n.content_type.model}:{n.object_id}"
            if n.content_type_id
            else None,
            "context": n.context,
            "listed_in_app": n.in_app,
            "created_at": iso(n.created_at),
            "read_at": iso(n.read_at),
        }
        for n in Notification.objects.filter(recipient=user)
        .select_related("content_type")
        .order_by("created_at", "pk")
    ]


def _notification_preferences(user: Any) -> dict[str, Any]:
    return notifications.preferences_get(user=user)


# The kernel's own sections; features place theirs between and after (by position).
register_section("account", _account, position=10)
register_section("email_addresses", _email_addresses, position=20)
register_section("profile", _profile, position=30)
register_section("residences", _residences, position=40)
register_section("memberships", _memberships, position=50)
register_section("notifications", _notifications, position=70)
register_section("notification_preferences", _notification_preferences, position=80)


def personal_data_export(*, user: Any) -> dict[str, Any]:
    """Everything stored about ``user``, as JSON-ready data."""
    data: dict[str, Any] = {"format_version": FORMAT_VERSION, "exported_at": iso(timezone.now())}
    for section in sorted(_sections.values(), key=lambda s: (s.position, s.name)):
        data[section.name] = section.export(user)
    return data


# --- deletion --------------------------------------------------------------------------------


@transaction.atomic
def account_delete(*, user: Any, password: str) -> None:
    """Delete ``user``'s account after checking ``password`` (see the module docstring).

    The organisations' administrator rows are locked first, so two last administrators
    deleting their accounts at once cannot both succeed.
    """
    if not password or not user.check_password(password):
        raise ValidationError(
            {"password": ValidationError(_("The password is not correct."), code="wrong_password")}
        )
    administered = list(
        Membership.objects.filter(user=user, role=Role.ADMINISTRATOR).values_list(
            "organisation_id", flat=True
        )
    )
    if administered:
        locked = list(
            Membership.objects.select_for_update()
            .filter(organisation_id__in=administered, role=Role.ADMINISTRATOR)
            .values_list("organisation_id", "user_id", "user__is_active")
        )
        covered = {org for org, uid, active in locked if uid != user.pk and active}
        alone = sorted(set(administered) - covered)
        if alone:
            names = ", ".join(
                Organisation.objects.filter(pk__in=alone)
                .order_by("name")
                .values_list("name", flat=True)
            )
            raise refusal(
                _(
                    "You are the last administrator of %(names)s. Make someone else an "
                    "administrator first."
                ),
                "last_administrator",
                names=names,
            )
    for check in _deletion_checks:
        refused = check(user)
        if refused is not None:
            raise refused
    for step in _before_deletion:
        step(user)
    try:
        user.delete()
    except ProtectedError:
        raise refusal(
            _("Some of your records cannot be removed yet. Ask an administrator."),
            "protected_records",
        ) from None
    permissions.forget_roles(user)
