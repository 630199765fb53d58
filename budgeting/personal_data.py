"""What budgeting holds about a person, for the personal-data export and account deletion.

Registered with the kernel (``engagement.personal_data``) when the app loads. In secret
rounds the export says *that* and *where* the person voted, never *what*.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from budgeting.models import (
    ImplementationUpdate,
    PaperBallotEntry,
    Participation,
    Project,
    ProjectFollow,
)
from budgeting.services.voting import ballot_not_secret
from engagement import personal_data
from engagement.personal_data import iso


def _participations(user: Any) -> list[dict[str, Any]]:
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
            "cast_at": iso(p.cast_at),
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


def _followed_projects(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "round": f.project.round.slug,
            "project": f.project.external_id,
            "title": f.project.title,
            "since": iso(f.created_at),
        }
        for f in ProjectFollow.objects.filter(user=user).select_related("project__round")
    ]


def _implementation_updates(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "round": u.project.round.slug,
            "project": u.project.external_id,
            "happened_on": iso(u.happened_on),
            "text": u.text,
            "created_at": iso(u.created_at),
        }
        for u in ImplementationUpdate.objects.filter(author=user).select_related("project__round")
    ]


def _paper_ballot_records(user: Any) -> ValidationError | None:
    if PaperBallotEntry.objects.filter(entered_by=user).exists():
        return personal_data.refusal(
            _(
                "You entered paper ballots; those entries are part of the count's records. "
                "Ask an administrator of your organisation to close your account."
            ),
            "paper_ballot_records",
        )
    return None


def _unlink_ballots(user: Any) -> None:
    # Explicitly (the foreign key would do the same), keeping voter_key: one person, one
    # ballot still holds for the rows that remain.
    Participation.objects.filter(voter=user).update(voter=None)


def register() -> None:
    personal_data.register_section("participations", _participations, position=60)
    personal_data.register_section("followed_projects", _followed_projects, position=90)
    personal_data.register_section("implementation_updates", _implementation_updates, position=100)
    personal_data.register_deletion_check(_paper_ballot_records)
    personal_data.register_before_deletion(_unlink_ballots)
