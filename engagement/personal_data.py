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

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.notifications import services as notifications
from engagement.notifications.models import Notification
from engagement.people import permissions
from engagement.people.models import Membership, Residence, ResidentProfile, Role

FORMAT_VERSION = 1


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


# --- export ----------------------------------------------------------------------------------


def _account(user: Any) -> dict[str, Any]:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "language": user.language,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "is_active": user.is_active,
    }


def _email_addresses(user: Any) -> list[dict[str, Any]]:
    model = _model("account.EmailAddress")
    if model is None:
        return []
    return [
        {"email": e.email, "verified": e.verified, "primary": e.primary}
        for e in model.objects.filter(user=user).order_by("pk")
    ]


def _profile(user: Any) -> dict[str, Any] | None:
    profile = ResidentProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    return {
        "birth_year": profile.birth_year,
        "target_groups": profile.target_groups,
        "updated_at": _iso(profile.updated_at),
    }


def _residences(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "organisation": r.organisation.slug,
            "district": r.district.slug if r.district_id else None,
            "updated_at": _iso(r.updated_at),
        }
        for r in Residence.objects.filter(user=user).select_related("organisation", "district")
    ]


def _memberships(user: Any) -> list[dict[str, Any]]:
    return [
        {"organisation": m.organisation.slug, "role": m.role, "since": _iso(m.created_at)}
        for m in Membership.objects.filter(user=user).select_related("organisation")
    ]


def _participations(user: Any) -> list[dict[str, Any]]:
    from budgeting.models import Participation, Project
    from budgeting.services.voting import ballot_not_secret

    rows = list(
        Participation.objects.filter(voter=user)
        .select_related("round", "district_budget")
        .order_by("cast_at", "pk")
    )
    open_ballots = {p.pk: ballot_not_secret(p) for p in rows if not p.round.secret_ballot}
    project_ids = {pk for b in open_ballots.values() if b is not None for pk in b[0]}
    external = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "external_id"))
    answer = []
    for p in rows:
        entry: dict[str, Any] = {
            "round": p.round.slug,
            "round_title": p.round.title,
            "district": p.district_budget.key,
            "channel": p.channel,
            "cast_at": _iso(p.cast_at),
            "secret_ballot": p.round.secret_ballot,
            "ballot": None,
        }
        ballot = open_ballots.get(p.pk)
        if ballot is not None:
            entry["ballot"] = {
                "projects": [external.get(pk, str(pk)) for pk in ballot[0]],
                "points": ballot[1],
            }
        answer.append(entry)
    return answer


def _notifications(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "event": n.event,
            "target": f"{n.content_type.app_label}.{n.content_type.model}:{n.object_id}"
            if n.content_type_id
            else None,
            "context": n.context,
            "listed_in_app": n.in_app,
            "created_at": _iso(n.created_at),
            "read_at": _iso(n.read_at),
        }
        for n in Notification.objects.filter(recipient=user)
        .select_related("content_type")
        .order_by("created_at", "pk")
    ]


def _followed_projects(user: Any) -> list[dict[str, Any]]:
    from budgeting.models import ProjectFollow

    return [
        {
            "round": f.project.round.slug,
            "project": f.project.external_id,
            "title": f.project.title,
            "since": _iso(f.created_at),
        }
        for f in ProjectFollow.objects.filter(user=user).select_related("project__round")
    ]


def _ideas_data(user: Any) -> dict[str, Any] | None:
    """Ideas, comments, supports, follows and reports — if the ideas models are installed."""
    idea_model = _model("engagement.Idea")
    if idea_model is None:
        return None
    comment_model = _model("engagement.Comment")
    support_model = _model("engagement.Support")
    follow_model = _model("engagement.Follow")
    report_model = _model("engagement.Report")
    ideas = [
        {
            "id": i.pk,
            "process": i.process.slug,
            "title": i.title,
            "description": i.description,
            "category": i.category,
            "district": i.district.slug if i.district_id else None,
            "latitude": str(i.latitude) if i.latitude is not None else None,
            "longitude": str(i.longitude) if i.longitude is not None else None,
            "estimated_cost": i.estimated_cost,
            "status": i.status,
            "hidden": i.hidden,
            "moderation_note": i.moderation_note,
            "images": [
                {"file": image.file.name, "alt_text": image.alt_text} for image in i.images.all()
            ],
            "created_at": _iso(i.created_at),
            "submitted_at": _iso(i.submitted_at),
        }
        for i in idea_model.objects.filter(author=user)
        .select_related("process", "district")
        .prefetch_related("images")
        .order_by("created_at", "pk")
    ]
    comments = [
        {
            "id": c.pk,
            "idea": c.idea_id,
            "parent": c.parent_id,
            "body": c.body,
            "hidden": c.hidden,
            "moderation_note": c.moderation_note,
            "created_at": _iso(c.created_at),
            "edited_at": _iso(c.edited_at),
            "deleted_at": _iso(c.deleted_at),
        }
        for c in comment_model.objects.filter(author=user).order_by("created_at", "pk")
    ]
    supports = [
        {"idea": s.idea_id, "title": s.idea.title, "since": _iso(s.created_at)}
        for s in support_model.objects.filter(user=user).select_related("idea")
    ]
    follows = [
        {"idea": f.idea_id, "title": f.idea.title, "since": _iso(f.created_at)}
        for f in follow_model.objects.filter(user=user).select_related("idea")
    ]
    reports = [
        {
            "idea": r.idea_id,
            "comment": r.comment_id,
            "reason": r.reason,
            "details": r.details,
            "status": r.status,
            "created_at": _iso(r.created_at),
        }
        for r in report_model.objects.filter(reporter=user).order_by("created_at", "pk")
    ]
    return {
        "ideas": ideas,
        "comments": comments,
        "supports": supports,
        "followed_ideas": follows,
        "reports": reports,
    }


def _implementation_updates(user: Any) -> list[dict[str, Any]]:
    from budgeting.models import ImplementationUpdate

    return [
        {
            "round": u.project.round.slug,
            "project": u.project.external_id,
            "happened_on": _iso(u.happened_on),
            "text": u.text,
            "created_at": _iso(u.created_at),
        }
        for u in ImplementationUpdate.objects.filter(author=user).select_related("project__round")
    ]


def personal_data_export(*, user: Any) -> dict[str, Any]:
    """Everything stored about ``user``, as JSON-ready data."""
    data: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(timezone.now()),
        "account": _account(user),
        "email_addresses": _email_addresses(user),
        "profile": _profile(user),
        "residences": _residences(user),
        "memberships": _memberships(user),
        "participations": _participations(user),
        "notifications": _notifications(user),
        "notification_preferences": notifications.preferences_get(user=user),
        "followed_projects": _followed_projects(user),
        "implementation_updates": _implementation_updates(user),
    }
    ideas = _ideas_data(user)
    if ideas is not None:
        data.update(ideas)
    return data


# --- deletion --------------------------------------------------------------------------------


def _refuse(message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({"account": ValidationError(message, code=code, params=params)})


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
            from engagement.people.models import Organisation

            names = ", ".join(
                Organisation.objects.filter(pk__in=alone)
                .order_by("name")
                .values_list("name", flat=True)
            )
            raise _refuse(
                _(
                    "You are the last administrator of %(names)s. Make someone else an "
                    "administrator first."
                ),
                "last_administrator",
                names=names,
            )
    from budgeting.models import PaperBallotEntry, Participation

    if PaperBallotEntry.objects.filter(entered_by=user).exists():
        raise _refuse(
            _(
                "You entered paper ballots; those entries are part of the count's records. "
                "Ask an administrator of your organisation to close your account."
            ),
            "paper_ballot_records",
        )
    # Unlink ballots explicitly (the foreign key would do the same), keeping voter_key.
    Participation.objects.filter(voter=user).update(voter=None)
    try:
        user.delete()
    except ProtectedError:
        raise _refuse(
            _("Some of your records cannot be removed yet. Ask an administrator."),
            "protected_records",
        ) from None
    permissions.forget_roles(user)
