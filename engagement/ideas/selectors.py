"""Reads for processes, ideas, comments and moderation.

Every list is a fixed number of queries whatever its length: counts are correlated
subqueries, the viewer's own support and follow are ``EXISTS`` annotations, related rows
come with ``select_related`` / one prefetch. What a visitor may see is decided here, once:
drafts are their author's, hidden content is the organisation's staff's, and processes in
draft are their staff's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagement.ideas import permissions, search
from engagement.ideas.models import (
    CollectionPhase,
    Comment,
    Follow,
    Idea,
    IdeaImage,
    IdeaStatus,
    ModerationLog,
    ParticipatoryProcess,
    ProcessKind,
    Report,
    ReportStatus,
    Support,
)
from engagement.ideas.models.ideas import AWAITING_REVIEW_STATUSES
from engagement.people import permissions as staff_permissions
from engagement.people.models import Organisation

SORTS = {
    "newest": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    "most_supported": ("-support_count", "-submitted_at", "-id"),
    "most_discussed": ("-comment_count", "-submitted_at", "-id"),
}
DEFAULT_SORT = "newest"
# The orders of SORTS as people choose them (API query and page filter).
SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("most_supported", _("Most supported first")),
    ("most_discussed", _("Most discussed first")),
]

# --- processes ----------------------------------------------------------------------------


def _public_processes_q() -> Q:
    now = timezone.now()
    collection_open = (
        ~Q(phase=CollectionPhase.DRAFT)
        | Q(collecting_from__lte=now)
        | Q(reviewing_from__lte=now)
        | Q(closes_at__lte=now)
    )
    return (Q(kind=ProcessKind.BUDGET) & ~Q(budget_round__phase="draft")) | (
        Q(kind=ProcessKind.IDEAS) & collection_open
    )


def processes_visible_to(user: Any) -> QuerySet[ParticipatoryProcess]:
    """Processes past draft, plus drafts of organisations where ``user`` is staff."""
    processes = ParticipatoryProcess.objects.select_related(
        "organisation", "budget_round"
    ).annotate(idea_count=_public_idea_count())
    staff_of = staff_permissions.staff_organisation_ids(user)
    if staff_of is None:
        return processes
    return processes.filter(_public_processes_q() | Q(organisation_id__in=staff_of))


def _public_idea_count() -> Coalesce:
    counted = (
        Idea.objects.filter(process=OuterRef("pk"), hidden=False, submitted_at__isnull=False)
        .exclude(status=IdeaStatus.DRAFT)
        .order_by()
        .values("process")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def visible_process(user: Any, slug: str) -> ParticipatoryProcess:
    """The process called ``slug`` if ``user`` may see it; otherwise 404."""
    process = processes_visible_to(user).filter(slug=slug).first()
    if process is None or not permissions.can_see_process(user, process):
        raise Http404
    return process


# --- ideas --------------------------------------------------------------------------------


def _support_count() -> Coalesce:
    counted = (
        Support.objects.filter(idea=OuterRef("pk"))
        .order_by()
        .values("idea")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _comment_count() -> Coalesce:
    """Comments shown to everyone: not hidden, not deleted."""
    counted = (
        Comment.objects.filter(idea=OuterRef("pk"), hidden=False, deleted_at__isnull=True)
        .order_by()
        .values("idea")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_details(ideas: QuerySet[Idea], user: Any) -> QuerySet[Idea]:
    """Everything the idea serializers show, in a fixed number of queries."""
    ideas = ideas.select_related(
        "process",
        "process__organisation",
        "process__budget_round",
        "author",
        "district",
        "merged_into",
        "project",
        "project__round",
        "project__district_budget",
    ).prefetch_related(Prefetch("images", IdeaImage.objects.order_by("position", "id")))
    ideas = ideas.annotate(support_count=_support_count(), comment_count=_comment_count())
    if permissions.signed_in(user):
        return ideas.annotate(
            supported=Exists(Support.objects.filter(idea=OuterRef("pk"), user_id=user.pk)),
            following=Exists(Follow.objects.filter(idea=OuterRef("pk"), user_id=user.pk)),
        )
    return ideas.annotate(
        supported=Value(False, output_field=BooleanField()),
        following=Value(False, output_field=BooleanField()),
    )


def public_ideas(process: ParticipatoryProcess) -> QuerySet[Idea]:
    """Ideas everyone may see: submitted once, not drafts, not hidden (lists, exports)."""
    return (
        Idea.objects.filter(process=process, hidden=False, submitted_at__isnull=False)
        .exclude(status=IdeaStatus.DRAFT)
        .order_by(*SORTS[DEFAULT_SORT])
    )


def ideas_visible_to(
    user: Any, process: ParticipatoryProcess, *, mine: bool = False
) -> QuerySet[Idea]:
    """The ideas of ``process`` ``user`` may list.

    Everyone: public ideas. The organisation's staff: hidden ones too (marked). With
    ``mine``: the user's own ideas, drafts included (hidden ones only for staff).
    """
    ideas = Idea.objects.filter(process=process)
    public = Q(submitted_at__isnull=False) & ~Q(status=IdeaStatus.DRAFT)
    if not permissions.can_see_hidden(user, process):
        public &= Q(hidden=False)
    if mine:
        if not permissions.signed_in(user):
            return ideas.none()
        own_private = Q(submitted_at__isnull=True) | Q(status=IdeaStatus.DRAFT)
        return ideas.filter(Q(author_id=user.pk) & (public | own_private))
    return ideas.filter(public)


def idea_list(
    user: Any,
    process: ParticipatoryProcess,
    *,
    mine: bool = False,
    status: str | None = None,
    category: str | None = None,
    district: str | None = None,
    project: str | None = None,
    q: str | None = None,
    sort: str = DEFAULT_SORT,
) -> QuerySet[Idea]:
    ideas = ideas_visible_to(user, process, mine=mine)
    if status:
        ideas = ideas.filter(status=status)
    if category:
        ideas = ideas.filter(category=category)
    if district:
        ideas = ideas.filter(district__slug=district)
    if project:
        ideas = ideas.filter(project__external_id=project)
    if q:
        ideas = search.filter_search(ideas, q)
    return with_details(ideas, user).order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def visible_idea(user: Any, idea_id: int, *, details: bool = True) -> Idea:
    """The idea if ``user`` may see it and its process; otherwise 404."""
    ideas = Idea.objects.filter(pk=idea_id)
    ideas = (
        with_details(ideas, user)
        if details
        else ideas.select_related(
            "process", "process__organisation", "process__budget_round", "author"
        )
    )
    idea = ideas.first()
    if (
        idea is None
        or not permissions.can_see_process(user, idea.process)
        or not permissions.can_see_idea(user, idea)
    ):
        raise Http404
    return idea


def similar_ideas(
    user: Any,
    process: ParticipatoryProcess,
    text: str,
    *,
    exclude: int | None = None,
    limit: int = search.SIMILAR_LIMIT,
) -> list[Idea]:
    """Up to ``limit`` public ideas of ``process`` most like ``text`` (never hidden ones)."""
    candidates = public_ideas(process).exclude(status=IdeaStatus.WITHDRAWN)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude)
    ranked = search.rank_similar(candidates, text, limit)
    if not ranked:
        return []
    details = {
        i.pk: i for i in with_details(Idea.objects.filter(pk__in=[i.pk for i in ranked]), user)
    }
    return [details[i.pk] for i in ranked if i.pk in details]


def review_queue(
    organisation: Organisation | int,
    *,
    process: str | None = None,
    district: str | None = None,
    category: str | None = None,
) -> QuerySet[Idea]:
    """Ideas of ``organisation`` waiting for the reviewers' answer, oldest first.

    Submitted and under-review ideas (hidden ones included: staff may still reject them);
    filters by process slug, district slug and category. The caller checks the role.
    """
    ideas = Idea.objects.filter(
        process__organisation=organisation,
        submitted_at__isnull=False,
        status__in=AWAITING_REVIEW_STATUSES,
    )
    if process:
        ideas = ideas.filter(process__slug=process)
    if district:
        ideas = ideas.filter(district__slug=district)
    if category:
        ideas = ideas.filter(category=category)
    return with_details(ideas, None).order_by("submitted_at", "id")


def review_queue_sizes(organisation_ids: Iterable[int]) -> dict[int, int]:
    """Organisation id -> how many ideas wait in its review queue (one grouped query)."""
    return dict(
        Idea.objects.filter(
            process__organisation_id__in=list(organisation_ids),
            status__in=AWAITING_REVIEW_STATUSES,
            submitted_at__isnull=False,
        )
        .values_list("process__organisation_id")
        .annotate(n=Count("id"))
        .values_list("process__organisation_id", "n")
    )


# --- discussion ---------------------------------------------------------------------------


def comment_roots(idea: Idea, *, sort: str = "oldest") -> QuerySet[Comment]:
    """Top-level comments of ``idea`` (paginate these, then load their threads)."""
    order = ("-created_at", "-id") if sort == "newest" else ("created_at", "id")
    return Comment.objects.filter(idea=idea, parent__isnull=True).order_by(*order)


def comment_threads(roots: Iterable[Comment]) -> list[Comment]:
    """``roots`` with their replies attached as ``thread_replies``, in one query."""
    roots = list(roots)
    by_id: dict[int, Comment] = {}
    for root in roots:
        root.thread_replies = []  # type: ignore[attr-defined]
        by_id[root.pk] = root
    if not roots:
        return roots
    replies = (
        Comment.objects.filter(root_id__in=list(by_id))
        .select_related("author")
        .order_by("depth", "created_at", "id")
    )
    for reply in replies:
        reply.thread_replies = []  # type: ignore[attr-defined]
        by_id[reply.pk] = reply
        parent = by_id.get(reply.parent_id)
        if parent is not None:
            parent.thread_replies.append(reply)  # type: ignore[attr-defined]
    return roots


def visible_comment(user: Any, comment_id: int) -> Comment:
    """The comment if ``user`` may see it (and its idea); hidden: staff only; else 404."""
    comment = Comment.objects.select_related("author").filter(pk=comment_id).first()
    if comment is None:
        raise Http404
    idea = visible_idea(user, comment.idea_id, details=False)
    comment.idea = idea
    if comment.hidden and not permissions.can_see_hidden(user, idea.process):
        raise Http404
    return comment


# --- moderation ---------------------------------------------------------------------------


def moderated_organisation_ids(user: Any) -> set[int] | None:
    """Organisations where ``user`` moderates; ``None``: all (platform operators)."""
    if staff_permissions.is_platform_admin(user):
        return None
    return {
        org_id
        for org_id in (staff_permissions.staff_organisation_ids(user) or set())
        if staff_permissions.can_moderate(user, org_id)
    }


def _moderated(rows: QuerySet[Any], user: Any, organisation: Organisation | None) -> QuerySet:
    allowed = moderated_organisation_ids(user)
    if allowed is not None:
        rows = rows.filter(organisation_id__in=allowed)
    if organisation is not None:
        rows = rows.filter(organisation=organisation)
    return rows


def moderation_queue(
    user: Any, *, organisation: Organisation | None = None, status: str = ReportStatus.OPEN
) -> QuerySet[Report]:
    """Reports in the organisations ``user`` moderates, oldest first, with their content."""
    open_on_same = (
        Report.objects.filter(status=ReportStatus.OPEN)
        .filter(
            Q(idea__isnull=False, idea_id=OuterRef("idea_id"))
            | Q(comment__isnull=False, comment_id=OuterRef("comment_id"))
        )
        .order_by()
        .values("organisation")
        .annotate(n=Count("id"))
        .values("n")
    )
    reports = _moderated(Report.objects.all(), user, organisation)
    if status:
        reports = reports.filter(status=status)
    return (
        reports.select_related(
            "organisation",
            "reporter",
            "idea",
            "idea__author",
            "idea__process",
            "comment",
            "comment__author",
            "comment__idea",
            "comment__idea__process",
        )
        .annotate(
            open_reports=Coalesce(Subquery(open_on_same, output_field=IntegerField()), Value(0))
        )
        .order_by("created_at", "id")
    )


def moderation_log(
    user: Any, *, organisation: Organisation | None = None
) -> QuerySet[ModerationLog]:
    return (
        _moderated(ModerationLog.objects.all(), user, organisation)
        .select_related("organisation", "actor", "idea", "comment")
        .order_by("-created_at", "-id")
    )


# --- links to budgeting -------------------------------------------------------------------


def idea_links_for_projects(project_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Project primary key -> ``{"id", "title", "process"}`` of the idea it came from.

    One query for any number of projects; hidden ideas are left out. Meant for the
    budgeting project API to show a read-only ``idea`` link (see docs/ideas.md).
    """
    rows = Idea.objects.filter(project_id__in=list(project_ids), hidden=False).values_list(
        "project_id", "pk", "title", "process__slug"
    )
    return {
        project_id: {"id": pk, "title": title, "process": process}
        for project_id, pk, title, process in rows
    }


def idea_link_for_project(project_id: int) -> dict[str, Any] | None:
    return idea_links_for_projects([project_id]).get(project_id)
