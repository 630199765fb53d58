"""What other features may use of ideas: the one door, so arrows only point in here.

Workshops turn a board's notes and clusters into idea drafts through :func:`create_idea_draft`
and import this module and nothing else of ideas. Ideas never import a feature: where an idea
came from (a workshop's note or cluster) reaches the idea page through
:func:`register_idea_origins`, which that feature calls when it loads — the same pattern as
``budgeting.ports.register_project_origins``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _

from engagement.ideas.models import Idea, ParticipatoryProcess
from engagement.ideas.services import ideas as idea_services

__all__ = [
    "Idea",
    "ParticipatoryProcess",
    "create_idea_draft",
    "idea_origins",
    "idea_process",
    "register_idea_origins",
]

# idea ids -> {idea id: {"kind": "workshop", "workshop": id, "title": ..., "note"|"cluster": id}}
IdeaOrigins = Callable[[list[int]], dict[int, dict[str, Any]]]
_origin_providers: list[IdeaOrigins] = []


def register_idea_origins(provider: IdeaOrigins) -> None:
    """A feature that turns its items into ideas says how to find an item by idea."""
    if provider not in _origin_providers:
        _origin_providers.append(provider)


def idea_origins(idea_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Idea id -> the item it came from (the first provider that knows it); ideas written
    directly are missing."""
    ids = list(idea_ids)
    found: dict[int, dict[str, Any]] = {}
    for provider in _origin_providers:
        missing = [pk for pk in ids if pk not in found]
        if not missing:
            break
        for idea_id, origin in provider(missing).items():
            found.setdefault(idea_id, origin)
    return found


def idea_process(
    *, process_id: int | None = None, round_id: int | None = None
) -> ParticipatoryProcess | None:
    """The process ideas go to: the one given, else the budget process of the round."""
    if process_id is not None:
        return ParticipatoryProcess.objects.select_related("organisation").get(pk=process_id)
    if round_id is not None:
        return (
            ParticipatoryProcess.objects.select_related("organisation")
            .filter(budget_round_id=round_id)
            .first()
        )
    return None


def create_idea_draft(
    *,
    author: Any,
    process: ParticipatoryProcess,
    title: str,
    description: str,
    origin_label: str = "",
) -> Idea:
    """A draft idea by ``author`` in ``process`` (the ideas feature's own rules apply: the
    author must see the process and its phase must take ideas). ``description`` is rich text
    (sanitised by the ideas feature); ``origin_label`` — where the idea came from, plain text
    — is added as its first paragraph."""
    if origin_label:
        description = f"<p><em>{escape(origin_label)}</em></p>{description}"
    return idea_services.idea_create(
        author=author,
        process=process,
        title=title[: idea_services.TITLE_MAX],
        description=description or f"<p>{escape(_('From a workshop.'))}</p>",
        submit=False,
    )
