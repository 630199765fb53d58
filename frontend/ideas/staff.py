"""Staff work queues of ideas: the review queue, reviewing one idea (feasibility, cost, merge)
and moderating reports.

Thin views: each finds the organisation or idea, checks the role with the predicates of
``engagement.people.permissions`` (anonymous: sign-in page; anyone else without the role: 403),
reads through the selectors and writes through the services the API uses. A service refusal
re-renders the form with status 400 and its messages under the fields.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engagement.content import sanitise
from engagement.ideas import permissions as idea_rules
from engagement.ideas import selectors
from engagement.ideas.models import (
    Comment,
    Idea,
    IdeaStatus,
    ModerationAction,
    ParticipatoryProcess,
    ReportReason,
)
from engagement.ideas.models.ideas import OPEN_STATUSES
from engagement.ideas.phases import Action as IdeaAction
from engagement.ideas.services import moderation as moderation_services
from engagement.ideas.services import review as review_services
from engagement.money import from_minor
from engagement.people import permissions
from engagement.people.models import District, Organisation
from frontend.ideas.staff_forms import MergeForm, ModerationForm, ReviewForm, ReviewQueueFilterForm
from frontend.service_errors import add_service_errors
from frontend.staff_access import link, require, signed_in, staff_crumbs

QUEUE_PAGE_SIZE = 30
LOG_PAGE_SIZE = 25
MERGE_CANDIDATES = 20
# Two forms on one page share field names; their ids must differ.
MERGE_IDS = "merge_%s"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
def review_queue(request: HttpRequest, org_slug: str) -> HttpResponse:
    if (response := signed_in(request)) is not None:
        return response
    organisation = get_object_or_404(Organisation, slug=org_slug)
    require(
        request,
        permissions.can_review(request.user, organisation),
        _("Only reviewers of this organisation can see the review queue."),
    )
    processes = list(
        ParticipatoryProcess.objects.filter(organisation=organisation)
        .select_related("budget_round")
        .order_by("-created_at")
    )
    districts = list(District.objects.filter(organisation=organisation))
    form = ReviewQueueFilterForm(request.GET, processes=processes, districts=districts)
    filters = form.filters()
    queue = selectors.review_queue(organisation, **filters)
    counts = queue.aggregate(
        total=Count("id"),
        submitted=Count("id", filter=Q(status=IdeaStatus.SUBMITTED)),
        under_review=Count("id", filter=Q(status=IdeaStatus.UNDER_REVIEW)),
    )
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    review_open = {p.pk: idea_rules.phase_allows(p, IdeaAction.REVIEW) for p in processes}
    for idea in page.object_list:
        idea.review_open = review_open.get(idea.process_id, False)
        process = idea.process
        idea.currency = (
            process.budget_round.currency if process.budget_round_id else organisation.currency
        )
    return render(
        request,
        "frontend/staff/queues/review_queue.html",
        {
            "organisation": organisation,
            "form": form,
            "page_obj": page,
            "counts": counts,
            "filtered": bool(filters),
            "crumbs": staff_crumbs(organisation, (_("Review queue"), None)),
        },
    )


def _merge_candidates(request: HttpRequest, idea: Idea, query: str) -> list[Idea]:
    """Ideas ``idea`` may be merged into: a search, else the similar ideas of the process."""
    if query:
        found = (
            selectors.idea_list(request.user, idea.process, q=query)
            .exclude(pk=idea.pk)
            .exclude(status__in=(IdeaStatus.MERGED, IdeaStatus.WITHDRAWN))
            .filter(hidden=False)[:MERGE_CANDIDATES]
        )
        candidates = list(found)
    else:
        text = f"{idea.title} {sanitise.text_of(idea.description)}"
        candidates = selectors.similar_ideas(request.user, idea.process, text, exclude=idea.pk)
    posted = request.POST.get("into") if request.method == "POST" else None
    if posted and posted.isdigit() and int(posted) not in {c.pk for c in candidates}:
        # Keep the reviewer's choice selectable when the list around it changed.
        extra = Idea.objects.filter(pk=int(posted), process_id=idea.process_id).first()
        if extra is not None and idea_rules.can_see_idea(request.user, extra):
            candidates.append(extra)
    return candidates


@require_http_methods(["GET", "POST"])
def idea_review(request: HttpRequest, pk: int) -> HttpResponse:
    if (response := signed_in(request)) is not None:
        return response
    idea = selectors.visible_idea(request.user, pk)
    organisation = idea.process.organisation
    require(
        request,
        permissions.can_review(request.user, organisation),
        _("Only reviewers of this organisation can review ideas."),
    )
    query = (request.GET.get("q") or "").strip()
    candidates = _merge_candidates(request, idea, query)
    review_form = ReviewForm(idea=idea, initial=_review_initial(idea))
    merge_form = MergeForm(candidates=candidates, auto_id=MERGE_IDS)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "merge":
            merge_form = MergeForm(request.POST, candidates=candidates, auto_id=MERGE_IDS)
            if merge_form.is_valid() and _merge(request, idea, merge_form):
                return redirect("frontend:staff_idea_review", pk=idea.pk)
        else:
            review_form = ReviewForm(request.POST, idea=idea)
            if review_form.is_valid() and _review(request, idea, review_form):
                return redirect("frontend:staff_idea_review", pk=idea.pk)
        status = 400
    next_idea = (
        selectors.review_queue(organisation).exclude(pk=idea.pk).values_list("pk", flat=True)
    ).first()
    project = idea.project
    return render(
        request,
        "frontend/staff/queues/idea_review.html",
        {
            "organisation": organisation,
            "idea": idea,
            "currency": review_form.currency,
            "review_form": review_form,
            "merge_form": merge_form,
            "bound_form": review_form if review_form.is_bound else merge_form,
            "query": query,
            "candidates": candidates,
            "review_open": idea_rules.phase_allows(idea.process, IdeaAction.REVIEW),
            "merge_open": idea_rules.phase_allows(idea.process, IdeaAction.MERGE),
            "reviewable": idea.status in OPEN_STATUSES,
            "mergeable": idea.status in OPEN_STATUSES,
            "project": project,
            "project_url": link("project", project.round.slug, project.pk) if project else None,
            "idea_url": link("idea_detail", idea.pk),
            "merged_into_url": link("staff_idea_review", idea.merged_into_id)
            if idea.merged_into_id
            else None,
            "next_url": link("staff_idea_review", next_idea) if next_idea else None,
            "queue_url": link("staff_review_queue", organisation.slug),
            "crumbs": staff_crumbs(
                organisation,
                (_("Review queue"), link("staff_review_queue", organisation.slug)),
                (idea.title, None),
            ),
        },
        status=status,
    )


def _review_initial(idea: Idea) -> dict[str, Any]:
    initial: dict[str, Any] = {"public_reason": idea.public_reason}
    cost = idea.admin_cost if idea.admin_cost is not None else idea.estimated_cost
    if cost is not None:
        process = idea.process
        currency = (
            process.budget_round.currency
            if process.budget_round_id
            else process.organisation.currency
        )
        initial["cost"] = str(from_minor(cost, currency))
    return initial


def _review(request: HttpRequest, idea: Idea, form: ReviewForm) -> bool:
    try:
        review_services.idea_review(actor=request.user, idea=idea, **form.service_arguments())
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    labels = {
        IdeaStatus.UNDER_REVIEW: _("The idea is marked as under review; its author is told."),
        IdeaStatus.ACCEPTED: _("The idea is accepted; its author is told."),
        IdeaStatus.REJECTED: _("The idea is rejected; its author is told the reason."),
    }
    message = labels[form.cleaned_data["decision"]]
    if idea.project_id:
        message = _("%(message)s It is now the ballot project %(project)s.") % {
            "message": message,
            "project": idea.project.external_id,
        }
    messages.success(request, message)
    return True


def _merge(request: HttpRequest, idea: Idea, form: MergeForm) -> bool:
    into = Idea.objects.filter(pk=form.cleaned_data["into"]).first()
    if into is None or not idea_rules.can_see_idea(request.user, into):
        form.add_error("into", _("There is no such idea."))
        return False
    try:
        review_services.idea_merge(
            actor=request.user,
            idea=idea,
            into=into,
            public_reason=form.cleaned_data.get("public_reason", ""),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(
        request,
        _("The idea is merged into “%(title)s”; its author is told.") % {"title": into.title},
    )
    return True


# --- moderation ---------------------------------------------------------------------------


def _content_of(report: Any) -> tuple[str, Idea, Comment | None]:
    if report.comment_id:
        return "comment", report.comment.idea, report.comment
    return "idea", report.idea, None


def _report_groups(reports: Any, organisation: Organisation) -> list[dict[str, Any]]:
    """Open reports grouped by the idea or comment they name, in order of the oldest."""
    groups: dict[tuple[str, int], dict[str, Any]] = {}
    reason_labels = dict(ReportReason.choices)
    action_url = reverse("frontend:staff_moderation", args=[organisation.slug])
    for report in reports:
        kind, idea, comment = _content_of(report)
        key = (kind, comment.pk if comment else idea.pk)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "kind": kind,
                "target_id": key[1],
                "idea": idea,
                "comment": comment,
                "content": comment if comment else idea,
                "reports": [],
                "reasons": Counter(),
                "first_at": report.created_at,
                "form": None,
                "action_url": action_url,
            }
        group["reports"].append(report)
        group["reasons"][str(reason_labels.get(report.reason, report.reason))] += 1
    for group in groups.values():
        group["count"] = len(group["reports"])
        group["reasons"] = group["reasons"].most_common()
        group["dom_id"] = f"report-{group['kind']}-{group['target_id']}"
    return list(groups.values())


def _moderation_target(
    organisation: Organisation, kind: str, target_id: int
) -> dict[str, Idea | Comment]:
    if kind == "comment":
        comment = get_object_or_404(
            Comment.objects.select_related("idea__process", "author"),
            pk=target_id,
            idea__process__organisation=organisation,
        )
        return {"comment": comment}
    idea = get_object_or_404(
        Idea.objects.select_related("process", "author"),
        pk=target_id,
        process__organisation=organisation,
    )
    return {"idea": idea}


MODERATION_SERVICES = {
    "hide": moderation_services.content_hide,
    "restore": moderation_services.content_restore,
    "dismiss": moderation_services.reports_dismiss,
}


@require_http_methods(["GET", "POST"])
def moderation(request: HttpRequest, org_slug: str) -> HttpResponse:
    if (response := signed_in(request)) is not None:
        return response
    organisation = get_object_or_404(Organisation, slug=org_slug)
    require(
        request,
        permissions.can_moderate(request.user, organisation),
        _("Only moderators of this organisation can see the moderation queue."),
    )
    failed: ModerationForm | None = None
    if request.method == "POST":
        form = ModerationForm(request.POST, auto_id=_moderation_auto_id(request.POST))
        outcome = _moderate(request, organisation, form)
        if outcome is not None:
            return outcome
        failed = form
    queue = selectors.moderation_queue(request.user, organisation=organisation)
    groups = _report_groups(queue, organisation)
    if failed is not None:
        for group in groups:
            if (group["kind"], group["target_id"]) == (
                failed.data.get("target"),
                _int(failed.data.get("target_id")),
            ):
                group["form"] = failed
    log = _log_page(request, organisation, request.GET.get("page"))
    if failed is not None and failed.data.get("region") == "log":
        failed_key = (failed.data.get("target"), _int(failed.data.get("target_id")))
        for entry in log.object_list:
            key = ("comment", entry.comment_id) if entry.comment_id else ("idea", entry.idea_id)
            entry.restore_form = failed if entry.can_restore and key == failed_key else None
    return render(
        request,
        "frontend/staff/queues/moderation.html",
        {
            "organisation": organisation,
            "groups": groups,
            "report_count": sum(g["count"] for g in groups),
            "page_obj": log,
            "failed": failed,
            "crumbs": staff_crumbs(organisation, (_("Moderation"), None)),
        },
        status=400 if failed is not None else 200,
    )


def _moderation_auto_id(data: Any) -> str:
    """Field ids of the row the form came from, so the error summary links to its note."""
    kind = "comment" if data.get("target") == "comment" else "idea"
    target_id = _int(data.get("target_id")) or 0
    prefix = "restore" if data.get("region") == "log" else "report"
    return f"{prefix}-{kind}-{target_id}-%s"


def _log_page(request: HttpRequest, organisation: Organisation, number: Any) -> Any:
    entries = selectors.moderation_log(request.user, organisation=organisation)
    page = Paginator(entries.select_related("comment__idea"), LOG_PAGE_SIZE).get_page(number)
    _mark_restorable(page.object_list)
    return page


def _mark_restorable(entries: Any) -> None:
    """Offer "restore" on the newest hide entry of content that is still hidden."""
    seen: set[tuple[str, int]] = set()
    for entry in entries:
        key = ("comment", entry.comment_id) if entry.comment_id else ("idea", entry.idea_id)
        content = entry.comment if entry.comment_id else entry.idea
        entry.can_restore = (
            entry.action == ModerationAction.HIDE and content.hidden and key not in seen
        )
        seen.add(key)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _moderate(
    request: HttpRequest, organisation: Organisation, form: ModerationForm
) -> HttpResponse | None:
    """Run one moderation decision; ``None`` when the form must be shown again (400)."""
    region = request.POST.get("region", "queue")
    if form.is_valid():
        kind = form.cleaned_data["target"]
        target = _moderation_target(organisation, kind, form.cleaned_data["target_id"])
        action = form.cleaned_data["action"]
        try:
            entry = MODERATION_SERVICES[action](
                actor=request.user, note=form.cleaned_data.get("note", ""), **target
            )
        except ValidationError as error:
            add_service_errors(form, error, aliases={"target": "__all__"})
        else:
            done = {
                ModerationAction.HIDE: _("Hidden, with your public note. Its author is told."),
                ModerationAction.RESTORE: _("Shown again. Its author is told."),
                ModerationAction.DISMISS: _("Reports dismissed; the content stays visible."),
            }[entry.action]
            if _is_htmx(request):
                # The row becomes the outcome; the log's first page is swapped in too.
                return render(
                    request,
                    "frontend/staff/queues/_moderation_done.html",
                    {
                        "message": done,
                        "entry": entry,
                        "region": region,
                        # Restoring from the log swaps within the log: no second copy.
                        "page_obj": _log_page(request, organisation, 1)
                        if region == "queue"
                        else None,
                    },
                )
            messages.success(request, done)
            return redirect(
                reverse("frontend:staff_moderation", args=[organisation.slug])
                + _page_query(request)
            )
    if _is_htmx(request):
        return _moderation_partial(request, organisation, form, region)
    return None


def _page_query(request: HttpRequest) -> str:
    page = _int(request.POST.get("page"))
    return f"?page={page}" if page and page > 1 else ""


def _moderation_partial(
    request: HttpRequest, organisation: Organisation, form: ModerationForm, region: str
) -> HttpResponse:
    """The row the form came from, with its errors (htmx swaps it in place; status 400)."""
    kind = form.data.get("target")
    target_id = _int(form.data.get("target_id"))
    if region == "log" and target_id:
        target = _moderation_target(organisation, kind if kind == "comment" else "idea", target_id)
        return render(
            request,
            "frontend/staff/queues/_moderation_restore.html",
            {
                "form": form,
                "kind": "comment" if "comment" in target else "idea",
                "target_id": target_id,
                "dom_id": f"restore-{kind}-{target_id}",
            },
            status=400,
        )
    queue = selectors.moderation_queue(request.user, organisation=organisation)
    queue = (
        queue.filter(comment_id=target_id)
        if kind == "comment"
        else queue.filter(idea_id=target_id, comment__isnull=True)
    )
    groups = _report_groups(queue, organisation)
    if not groups:
        return render(
            request,
            "frontend/staff/queues/_moderation_done.html",
            {"message": _("These reports were already handled."), "region": region},
            status=400,
        )
    group = groups[0]
    group["form"] = form
    return render(
        request, "frontend/staff/queues/_moderation_group.html", {"group": group}, status=400
    )
