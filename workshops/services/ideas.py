"""Notes and clusters of a board become idea drafts (through ``engagement.ideas.ports``).

Facilitators (and the organisation's administrators) decide which. The workshop must lead
somewhere: its participatory process, or the process of its budget round. A note written
under a name becomes an idea only if its author agreed (``idea_consent``); a cluster's idea
lists the texts of its visible notes, leaving out named notes without consent (and says so).
Both sides stay traceable: ``Note.idea`` / ``Cluster.idea`` point at the idea, and the idea
page finds the workshop through :func:`idea_origins` (registered with the ideas port).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from engagement.ideas import ports as ideas
from workshops import permissions
from workshops.models import Cluster, Note, Workshop
from workshops.services.board import publish_board

__all__ = ["cluster_to_idea", "idea_origins", "note_to_idea"]


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _require_facilitator(actor: Any, workshop: Workshop) -> None:
    if not permissions.can_facilitate(actor, workshop):
        raise PermissionDenied(
            _("Only the workshop's facilitators and the organisation's administrators may do this.")
        )


def _process(workshop: Workshop) -> ideas.ParticipatoryProcess:
    process = ideas.idea_process(process_id=workshop.process_id, round_id=workshop.budget_round_id)
    if process is None:
        raise _error(
            "workshop",
            _("Link the workshop to a participatory process (or a budget round) first."),
            "no_process",
        )
    return process


def _origin_label(workshop: Workshop) -> str:
    return _("From the workshop “%(title)s”.") % {"title": workshop.title}


def _is_named_without_consent(note: dict[str, Any] | Note) -> bool:
    name = note["display_name"] if isinstance(note, dict) else note.display_name
    consent = note["idea_consent"] if isinstance(note, dict) else note.idea_consent
    return bool(name) and not consent


@transaction.atomic
def note_to_idea(*, actor: Any, note: Note) -> Any:
    """An idea draft from one note (its text; the name it was written under, if any, with
    the author's consent)."""
    note = Note.objects.select_for_update().select_related("workshop").get(pk=note.pk)
    workshop = note.workshop
    _require_facilitator(actor, workshop)
    process = _process(workshop)
    if note.idea_id is not None:
        raise _error("note", _("This note is already an idea."), "already_an_idea")
    if note.hidden:
        raise _error("note", _("Moderators hid this note."), "hidden")
    if _is_named_without_consent(note):
        raise _error(
            "note",
            _("Its author wrote under their name and did not agree to it becoming an idea."),
            "no_consent",
        )
    description = f"<p>{escape(note.text)}</p>"
    if note.display_name:
        description += "<p>" + escape(_("Written by %(name)s.") % {"name": note.display_name})
        description += "</p>"
    idea = ideas.create_idea_draft(
        author=actor,
        process=process,
        title=" ".join(note.text.split())[:120],
        description=description,
        origin_label=_origin_label(workshop),
    )
    Note.objects.filter(pk=note.pk).update(idea=idea)
    publish_board(workshop.pk)
    return idea


@transaction.atomic
def cluster_to_idea(*, actor: Any, cluster: Cluster) -> Any:
    """An idea draft from a cluster: its title, and the texts of its visible notes (named
    notes without their author's consent are left out, and the description says how many)."""
    cluster = Cluster.objects.select_for_update().select_related("workshop").get(pk=cluster.pk)
    workshop = cluster.workshop
    _require_facilitator(actor, workshop)
    if cluster.idea_id is not None:
        raise _error("cluster", _("This cluster is already an idea."), "already_an_idea")
    process = _process(workshop)
    rows = list(
        Note.objects.filter(cluster=cluster, hidden=False)
        .order_by("position", "pk")
        .values("text", "display_name", "idea_consent")
    )
    shared = [row for row in rows if not _is_named_without_consent(row)]
    left_out = len(rows) - len(shared)
    parts = []
    if shared:
        items = []
        for row in shared:
            item = escape(row["text"])
            if row["display_name"]:
                item += f" — {escape(row['display_name'])}"
            items.append(f"<li>{item}</li>")
        parts.append("<ul>" + "".join(items) + "</ul>")
    if left_out:
        parts.append(
            "<p>"
            + escape(
                ngettext(
                    "%(n)d note written under a name is left out: its author did not agree "
                    "to it becoming an idea.",
                    "%(n)d notes written under a name are left out: their authors did not "
                    "agree to them becoming an idea.",
                    left_out,
                )
                % {"n": left_out}
            )
            + "</p>"
        )
    if not parts:
        parts.append("<p>" + escape(cluster.title) + "</p>")
    idea = ideas.create_idea_draft(
        author=actor,
        process=process,
        title=cluster.title,
        description="".join(parts),
        origin_label=_origin_label(workshop),
    )
    Cluster.objects.filter(pk=cluster.pk).update(idea=idea)
    publish_board(workshop.pk)
    return idea


def idea_origins(idea_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Idea id -> the workshop note or cluster it was made from (registered with
    ``engagement.ideas.ports``; two queries whatever the number of ideas)."""
    found: dict[int, dict[str, Any]] = {}
    if not idea_ids:
        return found
    for row in Note.objects.filter(idea_id__in=idea_ids).values(
        "pk", "idea_id", "workshop_id", "workshop__title"
    ):
        found.setdefault(
            row["idea_id"],
            {
                "kind": "workshop",
                "workshop": row["workshop_id"],
                "title": row["workshop__title"],
                "note": row["pk"],
            },
        )
    for row in Cluster.objects.filter(idea_id__in=idea_ids).values(
        "pk", "idea_id", "workshop_id", "workshop__title"
    ):
        found.setdefault(
            row["idea_id"],
            {
                "kind": "workshop",
                "workshop": row["workshop_id"],
                "title": row["workshop__title"],
                "cluster": row["pk"],
            },
        )
    return found
