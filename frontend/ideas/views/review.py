"""The review queue of an organisation's ideas, and reviewing one idea: its feasibility and
cost (accepting an idea of a budget round puts a project on the ballot), or merging it into
another.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engagement.content import sanitise
from engagement.ideas import permissions as idea_rules
from engagement.ideas import selectors
from engagement.ideas.models import Idea, IdeaStatus, ParticipatoryProcess
from engagement.ideas.models.ideas import OPEN_STATUSES
from engagement.ideas.phases import Action as IdeaAction
from engagement.ideas.services import review as review_services
from engagement.money import from_minor
from engagement.people import permissions
from engagement.people.models import District, Organisation
from frontend.ideas.forms.review import MergeForm, ReviewForm, ReviewQueueFilterForm
from frontend.service_errors import add_service_errors
from frontend.staff_access import link, require, signed_in, staff_crumbs

QUEUE_PAGE_SIZE = 30
MERGE_CANDIDATES = 20
# Two forms on one page share field names; their ids must differ.
MERGE_IDS = "merge_%s"


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
