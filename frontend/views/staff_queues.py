"""Staff work queues: review, moderation, paper ballots, implementation updates.

Thin views: each finds the organisation (or round, idea, project), checks the role with the
predicates of ``engagement.people.permissions`` (anonymous: sign-in page; anyone else without the
role: 403), reads through the selectors and writes through the services the API uses. A
service refusal re-renders the form with status 400 and its messages under the fields.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from budgeting import phases
from budgeting.models import (
    BudgetRound,
    DistrictBudget,
    PaperBallotEntry,
    PaperBallotSheet,
    PaperSheetStatus,
    Project,
)
from budgeting.models.implementation import ImplementationStatus
from budgeting.phases import Action as RoundAction
from budgeting.services import implementation, paper
from budgeting.services.voting import BALLOT_STATUSES
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
from frontend.budgeting.views.staff import staff_crumbs
from frontend.forms.staff_queues import (
    ImplementationStatusForm,
    ImplementationUpdateForm,
    MergeForm,
    ModerationForm,
    PaperEntryForm,
    ReviewForm,
    ReviewQueueFilterForm,
    add_service_errors,
)

QUEUE_PAGE_SIZE = 30
LOG_PAGE_SIZE = 25
MERGE_CANDIDATES = 20
PAPER_LIST_LIMIT = 100
# Two forms on one page share field names; their ids must differ.
MERGE_IDS = "merge_%s"
UPDATE_IDS = "update_%s"


# --- shared -------------------------------------------------------------------------------


def _url(name: str, *args: Any) -> str | None:
    """A page URL, or ``None`` while the page's area has not been built yet."""
    try:
        return reverse(f"frontend:{name}", args=args)
    except NoReverseMatch:
        return None


def _require(request: HttpRequest, allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _signed_out(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


# --- review -------------------------------------------------------------------------------


@require_GET
def review_queue(request: HttpRequest, org_slug: str) -> HttpResponse:
    if (response := _signed_out(request)) is not None:
        return response
    organisation = get_object_or_404(Organisation, slug=org_slug)
    _require(
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
    if (response := _signed_out(request)) is not None:
        return response
    idea = selectors.visible_idea(request.user, pk)
    organisation = idea.process.organisation
    _require(
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
            "project_url": _url("project", project.round.slug, project.pk) if project else None,
            "idea_url": _url("idea_detail", idea.pk),
            "merged_into_url": _url("staff_idea_review", idea.merged_into_id)
            if idea.merged_into_id
            else None,
            "next_url": _url("staff_idea_review", next_idea) if next_idea else None,
            "queue_url": _url("staff_review_queue", organisation.slug),
            "crumbs": staff_crumbs(
                organisation,
                (_("Review queue"), _url("staff_review_queue", organisation.slug)),
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
    if (response := _signed_out(request)) is not None:
        return response
    organisation = get_object_or_404(Organisation, slug=org_slug)
    _require(
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


# --- paper ballots ------------------------------------------------------------------------


def _officer_round(request: HttpRequest, slug: str) -> BudgetRound:
    budget_round = get_object_or_404(BudgetRound.objects.select_related("organisation"), slug=slug)
    _require(
        request,
        permissions.can_enter_paper_ballots(request.user, budget_round.organisation),
        _("Only officers of this organisation can enter paper ballots."),
    )
    return budget_round


SHEET_MESSAGES = {
    PaperSheetStatus.AWAITING_SECOND_ENTRY: (
        messages.SUCCESS,
        gettext_lazy("Sheet %(serial)s saved. It now needs a second entry by another officer."),
    ),
    PaperSheetStatus.COUNTED: (
        messages.SUCCESS,
        gettext_lazy("Sheet %(serial)s counted: both entries agree."),
    ),
    PaperSheetStatus.CONFLICT: (
        messages.WARNING,
        gettext_lazy(
            "Sheet %(serial)s: the entries disagree. It is listed under disagreements for an"
            " officer who has not entered it to resolve."
        ),
    ),
    PaperSheetStatus.DUPLICATE_VOTER: (
        messages.ERROR,
        gettext_lazy(
            "Sheet %(serial)s is not counted: this voter has already voted (online or on"
            " another sheet)."
        ),
    ),
}


@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, slug: str) -> HttpResponse:
    if (response := _signed_out(request)) is not None:
        return response
    budget_round = _officer_round(request, slug)
    organisation = budget_round.organisation
    budgets = list(DistrictBudget.objects.filter(round=budget_round))
    key = request.POST.get("district") or request.GET.get("district")
    district_budget = next((b for b in budgets if b.key == key), budgets[0] if budgets else None)
    entry_open = phases.allows(budget_round.phase, RoundAction.ENTER_PAPER)
    form = None
    status = 200
    if district_budget is not None:
        projects = list(
            Project.objects.filter(
                district_budget=district_budget, status__in=BALLOT_STATUSES
            ).order_by("external_id")
        )
        form_args = {
            "budget_round": budget_round,
            "district_budget": district_budget,
            "projects": projects,
        }
        if request.method == "POST":
            form = PaperEntryForm(request.POST, **form_args)
            if key and key != district_budget.key:
                # Never file a sheet under another ballot than the one the officer saw.
                form.is_valid()
                form.add_error(None, _("This round has no district %(key)s.") % {"key": key})
                sheet = None
            else:
                sheet = _submit_sheet(request, budget_round, district_budget, form)
            if sheet is not None:
                level, text = SHEET_MESSAGES[sheet.status]
                messages.add_message(request, level, text % {"serial": sheet.serial})
                return redirect(
                    reverse("frontend:staff_paper", args=[budget_round.slug])
                    + f"?district={district_budget.key}"
                )
            status = 400
        else:
            serial = request.GET.get("serial", "")
            form = PaperEntryForm(initial={"serial": serial}, **form_args)
            if serial:
                # Coming from a waiting or disputed sheet: the number is there, type the voter.
                form.fields["serial"].widget.attrs.pop("autofocus", None)
                form.fields["voter_reference"].widget.attrs["autofocus"] = True
    progress = paper.paper_progress(budget_round)
    return render(
        request,
        "frontend/staff/queues/paper.html",
        {
            "organisation": organisation,
            "round": budget_round,
            "budgets": budgets,
            "district_budget": district_budget,
            "form": form,
            "entry_open": entry_open,
            "progress": progress,
            "sheet_total": sum(progress[s] for s in PaperSheetStatus.values),
            **_paper_lists(request, budget_round),
            "crumbs": staff_crumbs(
                organisation,
                (budget_round.title, _url("staff_round", budget_round.slug)),
                (_("Paper ballots"), None),
            ),
        },
        status=status,
    )


def _submit_sheet(
    request: HttpRequest,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    form: PaperEntryForm,
) -> PaperBallotSheet | None:
    if not form.is_valid():
        return None
    projects, points = form.ballot()
    try:
        return paper.paper_entry_submit(
            officer=request.user,
            budget_round=budget_round,
            district_budget=district_budget,
            serial=form.cleaned_data["serial"],
            voter_reference=form.cleaned_data["voter_reference"],
            projects=projects,
            points=points,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _paper_lists(request: HttpRequest, budget_round: BudgetRound) -> dict[str, Any]:
    """Sheets awaiting a second entry (for this officer, and by this officer), disagreements
    side by side, and sheets whose voter had already voted."""
    entries = Prefetch(
        "entries", PaperBallotEntry.objects.select_related("entered_by").order_by("created_at")
    )
    sheets = (
        PaperBallotSheet.objects.filter(district_budget__round=budget_round)
        .select_related("district_budget")
        .order_by("created_at", "id")
    )
    awaiting = sheets.filter(status=PaperSheetStatus.AWAITING_SECOND_ENTRY)
    mine = Q(entries__entered_by=request.user)
    for_me = list(awaiting.exclude(mine).prefetch_related(entries)[:PAPER_LIST_LIMIT])
    by_me = list(awaiting.filter(mine).prefetch_related(entries)[:PAPER_LIST_LIMIT])
    conflicts = list(
        sheets.filter(status=PaperSheetStatus.CONFLICT).prefetch_related(entries)[:PAPER_LIST_LIMIT]
    )
    duplicates = list(sheets.filter(status=PaperSheetStatus.DUPLICATE_VOTER)[:PAPER_LIST_LIMIT])
    if conflicts:
        facts = {
            pk: (external_id, title)
            for pk, external_id, title in Project.objects.filter(round=budget_round).values_list(
                "pk", "external_id", "title"
            )
        }
        for sheet in conflicts:
            voters: dict[str, str] = {}
            for entry in sheet.entries.all():
                letter = voters.setdefault(entry.voter_key, chr(ord("A") + len(voters)))
                entry.voter_label = letter
                entry.mine = entry.entered_by_id == request.user.pk
                projects, points = paper.paper_entry_choices(entry)
                entry.choices = [
                    {
                        "id": facts.get(pk, ("?", ""))[0],
                        "title": facts.get(pk, ("?", ""))[1],
                        "points": n,
                    }
                    for pk, n in zip(projects, points or [None] * len(projects), strict=False)
                ]
            sheet.entered_by_me = any(e.mine for e in sheet.entries.all())
    return {
        "awaiting_for_me": for_me,
        "awaiting_by_me": by_me,
        "conflicts": conflicts,
        "duplicates": duplicates,
    }


# --- implementation -----------------------------------------------------------------------


def _admin_round(request: HttpRequest, slug: str) -> BudgetRound:
    budget_round = get_object_or_404(BudgetRound.objects.select_related("organisation"), slug=slug)
    _require(
        request,
        permissions.can_manage_organisation(request.user, budget_round.organisation),
        _("Only administrators of this organisation can report on implementation."),
    )
    return budget_round


@require_GET
def implementation_list(request: HttpRequest, slug: str) -> HttpResponse:
    if (response := _signed_out(request)) is not None:
        return response
    budget_round = _admin_round(request, slug)
    projects = list(
        implementation.trackable_projects(budget_round)
        .select_related("district_budget", "implementation")
        .annotate(
            update_count=Count("implementation_updates"),
            last_update=Max("implementation_updates__happened_on"),
        )
        .order_by("district_budget__position", "external_id")
    )
    for project in projects:
        project.tracking = getattr(project, "implementation", None)
    return render(
        request,
        "frontend/staff/queues/implementation.html",
        {
            "organisation": budget_round.organisation,
            "round": budget_round,
            "projects": projects,
            "tracking_open": phases.allows(budget_round.phase, RoundAction.TRACK_IMPLEMENTATION),
            "public_url": _url("round_implementation", budget_round.slug),
            "crumbs": staff_crumbs(
                budget_round.organisation,
                (budget_round.title, _url("staff_round", budget_round.slug)),
                (_("Implementation"), None),
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def project_implementation(request: HttpRequest, pk: int) -> HttpResponse:
    if (response := _signed_out(request)) is not None:
        return response
    project = get_object_or_404(
        Project.objects.select_related("round__organisation", "district_budget"), pk=pk
    )
    budget_round = project.round
    _require(
        request,
        permissions.can_manage_organisation(request.user, budget_round.organisation),
        _("Only administrators of this organisation can report on implementation."),
    )
    if project.status not in implementation.TRACKED_STATUSES:
        raise Http404
    current = implementation.implementation_of(project)
    status_form = ImplementationStatusForm(
        initial={"status": current.status, "progress": current.progress}
    )
    update_form = ImplementationUpdateForm(auto_id=UPDATE_IDS)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "update":
            update_form = ImplementationUpdateForm(request.POST, request.FILES, auto_id=UPDATE_IDS)
            if update_form.is_valid() and _post_update(request, project, update_form):
                return redirect("frontend:staff_project_implementation", pk=project.pk)
        else:
            status_form = ImplementationStatusForm(request.POST)
            if status_form.is_valid() and _set_status(request, project, status_form):
                return redirect("frontend:staff_project_implementation", pk=project.pk)
        status = 400
    return render(
        request,
        "frontend/staff/queues/project_implementation.html",
        {
            "organisation": budget_round.organisation,
            "round": budget_round,
            "project": project,
            "current": current,
            "status_label": ImplementationStatus(current.status).label,
            "status_form": status_form,
            "update_form": update_form,
            "bound_form": update_form if update_form.is_bound else status_form,
            "tracking_open": phases.allows(budget_round.phase, RoundAction.TRACK_IMPLEMENTATION),
            "public_url": _url("project", budget_round.slug, project.pk),
            "crumbs": staff_crumbs(
                budget_round.organisation,
                (budget_round.title, _url("staff_round", budget_round.slug)),
                (_("Implementation"), _url("staff_implementation", budget_round.slug)),
                (project.title, None),
            ),
        },
        status=status,
    )


def _set_status(request: HttpRequest, project: Project, form: ImplementationStatusForm) -> bool:
    try:
        implementation.implementation_set(
            actor=request.user,
            project=project,
            status=form.cleaned_data["status"],
            progress=form.cleaned_data["progress"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, _("Status and progress saved; followers are told."))
    return True


def _post_update(request: HttpRequest, project: Project, form: ImplementationUpdateForm) -> bool:
    data = form.cleaned_data
    try:
        implementation.implementation_update_post(
            actor=request.user,
            project=project,
            text=data["text"],
            happened_on=data.get("happened_on"),
            status=data.get("status") or None,
            progress=data.get("progress"),
            images=[
                implementation.ImageUpload(file=upload, description=alt)
                for upload, alt in form.uploads()
            ],
        )
    except ValidationError as error:
        add_service_errors(form, error, aliases={"images": "image_1"})
        return False
    messages.success(request, _("Update published; followers are told."))
    return True
