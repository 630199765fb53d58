"""An organisation's page, its processes and citizen ideas.

Thin views over the same selectors and services as the ideas API
(``engagement.ideas.selectors`` / ``services``): what a visitor may see is decided by the
selectors (drafts, hidden content and draft processes are a 404), what they may do by the
services (a refusal becomes a 400 with the message on the field it names, or a 403).
Without JavaScript every action is a POST and a redirect with a message; with htmx the
support, follow and comment forms and the idea list's results are swapped in place
(``HX-Request``), answering with the same fragment templates the full pages include.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from budgeting.models import Phase
from budgeting.selectors import rounds as budget_selectors
from engagement.content.sanitise import text_of
from engagement.http.rate_limits import rate_limited
from engagement.ideas import permissions as rules
from engagement.ideas import selectors
from engagement.ideas.models import (
    CollectionPhase,
    Comment,
    Idea,
    IdeaImage,
    IdeaStatus,
    ParticipatoryProcess,
    ProcessKind,
)
from engagement.ideas.services import discussion, moderation, supports
from engagement.ideas.services import ideas as idea_services
from engagement.people.models import District, Organisation
from frontend.ideas.forms import (
    CommentEditForm,
    CommentForm,
    ConfirmForm,
    IdeaFilterForm,
    IdeaForm,
    ReportForm,
    add_errors,
    add_service_errors,
    paragraphs,
    textarea_text,
)

IDEAS_PER_PAGE = 20
COMMENT_THREADS_PER_PAGE = 30
SIMILAR_MIN_LETTERS = 3

# Where a round or an idea collection stands, for the organisation page and the home page.
ROUND_STATES = {
    Phase.DRAFT: "upcoming",
    Phase.INFORMATION: "upcoming",
    Phase.PROPOSALS: "open",
    Phase.REVIEW: "open",
    Phase.VOTING: "open",
    Phase.TALLYING: "open",
    Phase.RESULTS: "past",
    Phase.IMPLEMENTATION: "past",
    Phase.EVALUATION: "past",
    Phase.CLOSED: "past",
}
COLLECTION_STATES = {
    CollectionPhase.DRAFT: "upcoming",
    CollectionPhase.COLLECTING: "open",
    CollectionPhase.REVIEWING: "open",
    CollectionPhase.CLOSED: "past",
}


# --- small helpers ------------------------------------------------------------------------


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _too_often(request: HttpRequest, scope: str) -> str | None:
    """The API's own rate limit (same scope, same counters): a message, or None if allowed."""
    limited = rate_limited(request, scope)
    if limited is None:
        return None
    wait = limited.seconds()
    return ngettext(
        "Too many attempts in a short time. Please try again in %(seconds)d second.",
        "Too many attempts in a short time. Please try again in %(seconds)d seconds.",
        wait,
    ) % {"seconds": wait}


def _url_or_none(name: str, *args: Any) -> str | None:
    """A link to another area's page, or ``None`` while that page does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _signed_in(request: HttpRequest) -> bool:
    return rules.signed_in(request.user)


def _sign_in(request: HttpRequest, next_url: str) -> HttpResponse:
    messages.info(request, _("Sign in to take part; you will come back here afterwards."))
    return redirect_to_login(next_url)


def _districts(organisation_id: int) -> list[District]:
    return list(District.objects.filter(organisation_id=organisation_id).order_by("name"))


def round_state(phase: str) -> str:
    return ROUND_STATES.get(phase, "past")


def process_state(process: ParticipatoryProcess) -> str:
    """``upcoming``, ``open`` or ``past``: the phase in force, dates included."""
    phase = rules.current_phase(process)
    if process.kind == ProcessKind.BUDGET:
        return round_state(phase)
    return COLLECTION_STATES.get(phase, "past")


def open_counts(user: Any) -> Counter[int]:
    """Organisation id -> open idea collections and budget rounds ``user`` may see.

    Two queries whatever the number of organisations.
    """
    counts: Counter[int] = Counter()
    for process in selectors.processes_visible_to(user).filter(kind=ProcessKind.IDEAS):
        if process_state(process) == "open":
            counts[process.organisation_id] += 1
    for budget_round in budget_selectors.rounds_visible_to(user).only("organisation_id", "phase"):
        if round_state(budget_round.phase) == "open":
            counts[budget_round.organisation_id] += 1
    return counts


@dataclass
class PhaseStep:
    key: str
    label: str
    state: str  # done | current | upcoming
    starts: datetime | None = None


def phase_steps(process: ParticipatoryProcess) -> list[PhaseStep]:
    """The process's phases in order (draft left out), with the current one marked."""
    current = rules.current_phase(process)
    if process.kind == ProcessKind.BUDGET:
        choices = list(Phase.choices)
        dates: dict[str, datetime | None] = {}
    else:
        choices = list(CollectionPhase.choices)
        dates = {
            CollectionPhase.COLLECTING: process.collecting_from,
            CollectionPhase.REVIEWING: process.reviewing_from,
            CollectionPhase.CLOSED: process.closes_at,
        }
    keys = [key for key, _label in choices]
    position = keys.index(current) if current in keys else 0
    steps = []
    for index, (key, label) in enumerate(choices):
        if key == "draft":
            continue
        state = "current" if index == position else ("done" if index < position else "upcoming")
        steps.append(PhaseStep(key, str(label), state, dates.get(key)))
    return steps


def _process_context(request: HttpRequest, process: ParticipatoryProcess) -> dict[str, Any]:
    """What every page of a process shows: branding, breadcrumbs' start, links."""
    budget_round = process.budget_round if process.kind == ProcessKind.BUDGET else None
    return {
        "organisation": process.organisation,
        "process": process,
        "phase": rules.current_phase(process),
        "phase_label": _phase_label(process),
        "budget_round": budget_round,
        "round_url": _url_or_none("frontend:round", budget_round.slug) if budget_round else None,
        "can_submit": rules.phase_allows(process, rules.Action.SUBMIT),
    }


def _phase_label(process: ParticipatoryProcess) -> str:
    phase = rules.current_phase(process)
    choices = Phase if process.kind == ProcessKind.BUDGET else CollectionPhase
    try:
        return str(choices(phase).label)
    except ValueError:
        return phase


def _crumbs(*pairs: tuple[str, str | None]) -> list[dict[str, Any]]:
    return [{"label": label, "url": url} for label, url in pairs]


def _process_crumbs(process: ParticipatoryProcess, *more: tuple[str, str | None]) -> list:
    return _crumbs(
        (_("Home"), reverse("frontend:home")),
        (
            process.organisation.name,
            reverse("frontend:organisation", args=[process.organisation.slug]),
        ),
        (process.title, reverse("frontend:process", args=[process.slug])),
        *more,
    )


# --- organisation and process -------------------------------------------------------------


@dataclass
class Entry:
    """One idea collection or budget round on the organisation page."""

    kind: str  # round | collection
    title: str
    url: str
    phase_label: str
    state: str
    obj: Any
    process: ParticipatoryProcess | None = None
    ideas_url: str | None = None
    action_label: str = ""
    action_url: str | None = None


def _round_action(budget_round: Any) -> tuple[str, str | None]:
    """The one thing to do with a round now: vote, or read its results."""
    if budget_round.phase == Phase.VOTING:
        return _("Vote now"), _url_or_none("frontend:ballot", budget_round.slug)
    if budget_round.phase in (Phase.RESULTS, Phase.IMPLEMENTATION, Phase.EVALUATION):
        return _("See the results"), _url_or_none("frontend:round_results", budget_round.slug)
    return "", None


@require_GET
def organisation(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=org_slug)
    entries: list[Entry] = []
    processes = list(selectors.processes_visible_to(request.user).filter(organisation=org))
    by_round = {p.budget_round_id: p for p in processes if p.budget_round_id}
    rounds = (
        budget_selectors.rounds_visible_to(request.user)
        .filter(organisation=org)
        .order_by("-created_at", "-id")
    )
    for budget_round in rounds:
        process = by_round.get(budget_round.pk)
        process_url = reverse("frontend:process", args=[process.slug]) if process else None
        action_label, action_url = _round_action(budget_round)
        entries.append(
            Entry(
                kind="round",
                title=budget_round.title,
                url=_url_or_none("frontend:round", budget_round.slug) or process_url or "",
                phase_label=str(Phase(budget_round.phase).label),
                state=round_state(budget_round.phase),
                obj=budget_round,
                process=process,
                ideas_url=reverse("frontend:idea_list", args=[process.slug]) if process else None,
                action_label=action_label,
                action_url=action_url,
            )
        )
    collections = [p for p in processes if p.kind == ProcessKind.IDEAS]
    for process in collections:
        entries.append(
            Entry(
                kind="collection",
                title=process.title,
                url=reverse("frontend:process", args=[process.slug]),
                phase_label=_phase_label(process),
                state=process_state(process),
                obj=process,
                process=process,
                ideas_url=reverse("frontend:idea_list", args=[process.slug]),
            )
        )
    grouped = {
        state: [e for e in entries if e.state == state] for state in ("open", "upcoming", "past")
    }
    return render(
        request,
        "frontend/ideas/organisation.html",
        {
            "organisation": org,
            "open_entries": grouped["open"],
            "upcoming_entries": grouped["upcoming"],
            "past_entries": grouped["past"],
            "districts": _districts(org.pk),
            "crumbs": _crumbs((_("Home"), reverse("frontend:home")), (org.name, None)),
        },
    )


@require_GET
def process(request: HttpRequest, slug: str) -> HttpResponse:
    current = selectors.visible_process(request.user, slug)
    context = _process_context(request, current)
    top = list(selectors.idea_list(request.user, current, sort="most_supported")[:3])
    context.update(
        {
            "steps": phase_steps(current),
            "open_actions": rules.open_actions(current),
            "top_ideas": top,
            "crumbs": _process_crumbs(current)[:-1] + _crumbs((current.title, None)),
        }
    )
    return render(request, "frontend/ideas/process.html", context)


# --- the idea list ------------------------------------------------------------------------


@require_GET
def idea_list(request: HttpRequest, slug: str) -> HttpResponse:
    current = selectors.visible_process(request.user, slug)
    districts = _districts(current.organisation_id)
    form = IdeaFilterForm(
        request.GET or None,
        process=current,
        districts=districts,
        signed_in=_signed_in(request),
    )
    arguments = form.selector_arguments()
    invalid = form.is_bound and not form.is_valid()
    ideas = selectors.idea_list(request.user, current, **arguments)
    page_obj = Paginator(ideas, IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    context = _process_context(request, current)
    context.update(
        {
            "form": form,
            "page_obj": page_obj,
            "ideas": list(page_obj.object_list),
            "filtered": any(arguments[k] for k in ("q", "category", "district", "status", "mine")),
            "crumbs": _process_crumbs(current, (_("Ideas"), None)),
        }
    )
    template = "frontend/ideas/idea_list.html"
    if (
        _htmx(request)
        and request.headers.get("HX-Target") == "idea-results"
        and not request.headers.get("HX-History-Restore-Request")
    ):
        template = "frontend/ideas/_results.html"
        context["partial"] = True
    response = render(request, template, context, status=400 if invalid else 200)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])  # one URL, two answers
    return response


@require_GET
def idea_similar(request: HttpRequest, slug: str) -> HttpResponse:
    """The "similar ideas" hint while writing (an htmx fragment)."""
    current = selectors.visible_process(request.user, slug)
    text = (request.GET.get("title") or request.GET.get("text") or "")[:2000]
    exclude = request.GET.get("exclude")
    similar: list[Idea] = []
    if len(text.strip()) >= SIMILAR_MIN_LETTERS:
        similar = selectors.similar_ideas(
            request.user, current, text, exclude=int(exclude) if (exclude or "").isdigit() else None
        )
    html = render_to_string(
        "frontend/ideas/_similar.html", {"similar": similar, "hint": True}, request=request
    )
    return HttpResponse(html.strip())  # empty when nothing is similar (the hint box hides)


# --- writing ideas ------------------------------------------------------------------------


def _save_image(request: HttpRequest, form: IdeaForm, idea: Idea) -> None:
    upload = form.cleaned_data.get("image")
    if upload:
        idea_services.idea_image_add(
            actor=request.user,
            idea=idea,
            upload=upload,
            alt_text=form.cleaned_data.get("alt_text", ""),
        )


@require_http_methods(["GET", "POST"])
def idea_create(request: HttpRequest, slug: str) -> HttpResponse:
    current = selectors.visible_process(request.user, slug)
    here = reverse("frontend:idea_create", args=[slug])
    if not _signed_in(request):
        return _sign_in(request, here)
    context = _process_context(request, current)
    if request.method == "GET" and not context["can_submit"]:
        messages.warning(request, _("New ideas cannot be submitted in this phase."))
        return redirect("frontend:process", slug)
    form_options = {
        "process": current,
        "districts": _districts(current.organisation_id),
        "similar_url": reverse("frontend:idea_similar", args=[slug]),
    }
    status = 200
    if request.method == "POST":
        form = IdeaForm(request.POST, request.FILES, **form_options)
        status = 400
        limited = _too_often(request, "idea")
        if limited:
            form.is_valid()
            form.add_error(None, limited)
            status = 429
        elif form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                # One transaction: a refused image leaves no idea behind.
                with transaction.atomic():
                    idea = idea_services.idea_create(
                        author=request.user, process=current, submit=submit, **form.idea_fields
                    )
                    _save_image(request, form, idea)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your idea is submitted: everyone can see it now.")
                    if submit
                    else _("Your draft is saved. Only you can see it until you submit it."),
                )
                return redirect(idea.get_absolute_url())
    else:
        form = IdeaForm(**form_options)
    context.update(
        {
            "form": form,
            "idea": None,
            "crumbs": _process_crumbs(current, (_("New idea"), None)),
        }
    )
    return render(request, "frontend/ideas/idea_form.html", context, status=status)


def _own_idea(request: HttpRequest, pk: int) -> Idea:
    """The visitor's own idea (404 if they may not see it, 403 if it is someone else's)."""
    idea = selectors.visible_idea(request.user, pk)
    if not rules.is_author(request.user, idea):
        raise PermissionDenied(_("Only the author can change this idea."))
    return idea


@require_http_methods(["GET", "POST"])
def idea_edit(request: HttpRequest, pk: int) -> HttpResponse:
    here = reverse("frontend:idea_edit", args=[pk])
    if not _signed_in(request):
        return _sign_in(request, here)
    idea = _own_idea(request, pk)
    current = idea.process
    form_options = {
        "process": current,
        "districts": _districts(current.organisation_id),
        "similar_url": reverse("frontend:idea_similar", args=[current.slug]),
        "exclude": idea.pk,
    }
    if request.method == "GET" and not rules.can_edit_idea(request.user, idea):
        messages.warning(request, _("This idea can no longer be changed."))
        return redirect(idea.get_absolute_url())
    status = 200
    if request.method == "POST":
        form = IdeaForm(request.POST, request.FILES, **form_options)
        status = 400
        # As in the API: submitting and adding images are rate-limited, editing is not.
        counted = request.POST.get("action") == "submit" or bool(request.FILES.get("image"))
        limited = _too_often(request, "idea") if counted else None
        if limited:
            form.is_valid()
            form.add_error(None, limited)
            status = 429
        elif form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                with transaction.atomic():
                    idea_services.idea_update(actor=request.user, idea=idea, **form.idea_fields)
                    _save_image(request, form, idea)
                    if submit and idea.status == IdeaStatus.DRAFT:
                        idea_services.idea_submit(actor=request.user, idea=idea)
            except ValidationError as error:
                add_service_errors(form, error)
                idea = selectors.visible_idea(request.user, pk)  # as stored, nothing changed
            else:
                messages.success(
                    request,
                    _("Your idea is submitted: everyone can see it now.")
                    if submit
                    else _("Your changes are saved."),
                )
                if request.POST.get("then") == "edit":
                    return redirect(here)
                return redirect(idea.get_absolute_url())
    else:
        form = IdeaForm(initial=IdeaForm.initial_for(idea), **form_options)
    context = _process_context(request, current)
    context.update(
        {
            "form": form,
            "idea": idea,
            "max_images": idea_services.max_images_per_idea(),
            "crumbs": _process_crumbs(
                current,
                (idea.title, idea.get_absolute_url()),
                (_("Edit"), None),
            ),
        }
    )
    return render(request, "frontend/ideas/idea_form.html", context, status=status)


@require_POST
def idea_image_remove(request: HttpRequest, pk: int, image_id: int) -> HttpResponse:
    if not _signed_in(request):
        return _sign_in(request, reverse("frontend:idea_edit", args=[pk]))
    idea = _own_idea(request, pk)
    image = get_object_or_404(IdeaImage, pk=image_id, idea=idea)
    try:
        idea_services.idea_image_remove(actor=request.user, idea=idea, image=image)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The image is removed."))
    return redirect("frontend:idea_edit", pk)


@require_http_methods(["GET", "POST"])
def idea_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    here = reverse("frontend:idea_withdraw", args=[pk])
    if not _signed_in(request):
        return _sign_in(request, here)
    idea = _own_idea(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        try:
            idea_services.idea_withdraw(actor=request.user, idea=idea)
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400
        else:
            messages.success(request, _("Your idea is withdrawn."))
            return redirect(idea.get_absolute_url())
    context = _process_context(request, idea.process)
    context.update(
        {
            "idea": idea,
            "form": form,
            "crumbs": _process_crumbs(
                idea.process, (idea.title, idea.get_absolute_url()), (_("Withdraw"), None)
            ),
        }
    )
    return render(request, "frontend/ideas/idea_withdraw.html", context, status=status)


# --- the idea page ------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    at: datetime | None
    label: str
    reason: str = ""


def status_history(idea: Idea) -> list[HistoryEntry]:
    """The steps the idea went through, from its timestamps and the review's answer."""
    entries: list[HistoryEntry] = []
    if idea.submitted_at:
        entries.append(HistoryEntry(idea.submitted_at, _("Submitted")))
    elif idea.status == IdeaStatus.DRAFT:
        entries.append(HistoryEntry(idea.created_at, _("Draft saved (only you can see it)")))
    if idea.reviewed_at:
        if idea.status == IdeaStatus.MERGED:
            label = _("Merged into another idea")
        elif idea.feasible is True:
            label = _("Accepted by the city")
        elif idea.feasible is False:
            label = _("Not accepted by the city")
        else:
            label = _("Under review by the city")
        entries.append(HistoryEntry(idea.reviewed_at, label, idea.public_reason))
    if idea.status == IdeaStatus.WITHDRAWN:
        entries.append(HistoryEntry(idea.status_changed_at, _("Withdrawn by the author")))
    return sorted(entries, key=lambda e: e.at or idea.created_at)


def _comment_page_number(comment: Comment) -> int:
    """The page of the discussion (oldest first) that shows ``comment``'s thread."""
    root_id = comment.root_id or comment.pk
    earlier = Comment.objects.filter(
        idea_id=comment.idea_id, parent__isnull=True, pk__lt=root_id
    ).count()
    return earlier // COMMENT_THREADS_PER_PAGE + 1


def _comment_url(comment: Comment) -> str:
    page = _comment_page_number(comment)
    base = reverse("frontend:idea_detail", args=[comment.idea_id])
    query = f"?comments_page={page}" if page > 1 else ""
    return f"{base}{query}#comment-{comment.pk}"


def _detail_context(
    request: HttpRequest,
    idea: Idea,
    *,
    comments_page_number: int | None = None,
    comment_form: CommentForm | None = None,
    reply_form: CommentForm | None = None,
    reply_to: int | None = None,
    errors: list[str] | None = None,
) -> dict[str, Any]:
    current = idea.process
    roots = selectors.comment_roots(idea).select_related("author")
    comments_page = Paginator(roots, COMMENT_THREADS_PER_PAGE).get_page(
        comments_page_number or request.GET.get("comments_page")
    )
    threads = selectors.comment_threads(comments_page.object_list)
    similar: list[Idea] = []
    if idea.is_public and not idea.hidden:
        similar = selectors.similar_ideas(
            request.user, current, f"{idea.title} {text_of(idea.description)}", exclude=idea.pk
        )
    project = idea.project if idea.project_id else None
    merged_into = idea.merged_into if idea.merged_into_id and not idea.merged_into.hidden else None
    context = _process_context(request, current)
    context.update(
        {
            "idea": idea,
            "perms": rules.idea_permissions(request.user, idea),
            "signed_in": _signed_in(request),
            "can_report": rules.can_report(request.user),
            "staff": rules.can_see_hidden(request.user, current),
            "history": status_history(idea),
            "merged_into": merged_into,
            "project": project,
            "project_url": _url_or_none("frontend:project", project.round.slug, project.pk)
            if project
            else None,
            "threads": threads,
            "comments_page": comments_page,
            "comment_form": comment_form or CommentForm(),
            "reply_form": reply_form,
            "reply_to": reply_to,
            "edit_since": timezone.now() - discussion.comment_edit_window(),
            "similar": similar,
            "review_url": _url_or_none("frontend:staff_idea_review", idea.pk)
            if rules.can_review_idea(request.user, idea) or rules.can_merge_idea(request.user, idea)
            else None,
            "moderation_url": _url_or_none("frontend:staff_moderation", current.organisation.slug)
            if rules.can_moderate(request.user, current)
            else None,
            "page_errors": errors or [],
            "crumbs": _process_crumbs(
                current,
                (_("Ideas"), reverse("frontend:idea_list", args=[current.slug])),
                (idea.title, None),
            ),
        }
    )
    return context


@require_GET
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.visible_idea(request.user, pk)
    return render(request, "frontend/ideas/idea_detail.html", _detail_context(request, idea))


def _messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _action_response(
    request: HttpRequest,
    pk: int,
    fragment: str,
    *,
    errors: list[str],
    done: str,
    status: int = 400,
) -> HttpResponse:
    """After support/follow: the fragment (htmx), or the page (400) / a redirect."""
    idea = selectors.visible_idea(request.user, pk)
    if _htmx(request):
        context = _detail_context(request, idea, errors=errors)
        context["fragment"] = True
        return render(request, fragment, context, status=status if errors else 200)
    if errors:
        return render(
            request,
            "frontend/ideas/idea_detail.html",
            _detail_context(request, idea, errors=errors),
            status=status,
        )
    messages.success(request, done)
    return redirect(idea.get_absolute_url())


@require_POST
def idea_support(request: HttpRequest, pk: int) -> HttpResponse:
    if not _signed_in(request):
        return _sign_in(request, reverse("frontend:idea_detail", args=[pk]))
    idea = selectors.visible_idea(request.user, pk, details=False)
    remove = request.POST.get("action") == "remove"
    done = _("Your support is taken back.") if remove else _("Thank you for your support.")
    limited = _too_often(request, "support")
    if limited:
        return _action_response(
            request, pk, "frontend/ideas/_support.html", errors=[limited], done=done, status=429
        )
    errors: list[str] = []
    try:
        if remove:
            supports.support_remove(user=request.user, idea=idea)
        else:
            supports.support_add(user=request.user, idea=idea)
    except ValidationError as error:
        errors = _messages_of(error)
    return _action_response(request, pk, "frontend/ideas/_support.html", errors=errors, done=done)


@require_POST
def idea_follow(request: HttpRequest, pk: int) -> HttpResponse:
    if not _signed_in(request):
        return _sign_in(request, reverse("frontend:idea_detail", args=[pk]))
    idea = selectors.visible_idea(request.user, pk, details=False)
    stop = request.POST.get("action") == "unfollow"
    if stop:
        supports.follow_remove(user=request.user, idea=idea)
    else:
        supports.follow_add(user=request.user, idea=idea)
    done = (
        _("You no longer follow this idea.")
        if stop
        else _("You follow this idea: we will tell you about its progress and new comments.")
    )
    return _action_response(request, pk, "frontend/ideas/_follow.html", errors=[], done=done)


@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    if not _signed_in(request):
        return _sign_in(request, reverse("frontend:idea_detail", args=[pk]) + "#comments")
    idea = selectors.visible_idea(request.user, pk, details=False)
    raw_parent = str(request.POST.get("parent") or "")
    reply_to = int(raw_parent) if raw_parent.isdigit() else None
    # A reply form's ids follow the reply box it came from (error summary links to it).
    form = CommentForm(request.POST, auto_id=f"reply-{reply_to}-%s" if reply_to else "id_%s")
    comment = None
    status = 400
    limited = _too_often(request, "comment")
    if limited:
        form.is_valid()
        form.add_error("body" if "body" in form.cleaned_data else None, limited)
        status = 429
    elif form.is_valid():
        parent = None
        parent_id = form.cleaned_data.get("parent")
        if parent_id:
            parent = Comment.objects.filter(pk=parent_id, idea=idea).first()
            if parent is None:
                form.add_error("body", _("There is no such comment on this idea."))
        if not form.errors:
            try:
                comment = discussion.comment_create(
                    author=request.user,
                    idea=idea,
                    body=paragraphs(form.cleaned_data["body"]),
                    parent=parent,
                )
            except ValidationError as error:
                # A reply's own problems (too deep, parent gone) belong under its text box.
                errors = error.message_dict if hasattr(error, "error_dict") else {}
                if "parent" in errors:
                    errors["body"] = errors.pop("parent")
                if errors:
                    add_errors(form, errors)
                else:
                    add_service_errors(form, error)
    if comment is not None and not _htmx(request):
        messages.success(request, _("Your comment is published."))
        return redirect(_comment_url(comment))
    detail = selectors.visible_idea(request.user, pk)
    if comment is not None:
        context = _detail_context(
            request, detail, comments_page_number=_comment_page_number(comment)
        )
        context["posted"] = comment.pk
        return render(request, "frontend/ideas/_comments.html", context)
    context = _detail_context(
        request,
        detail,
        comment_form=None if reply_to else form,
        reply_form=form if reply_to else None,
        reply_to=reply_to,
    )
    template = (
        "frontend/ideas/_comments.html" if _htmx(request) else "frontend/ideas/idea_detail.html"
    )
    return render(request, template, context, status=status)


def _own_comment(request: HttpRequest, pk: int) -> Comment:
    comment = selectors.visible_comment(request.user, pk)
    if not rules.is_author(request.user, comment):
        raise PermissionDenied(_("Only the author can change this comment."))
    return comment


def _comment_page(
    request: HttpRequest, comment: Comment, template: str, form: Any, status: int, label: str
) -> HttpResponse:
    idea = comment.idea
    context = _process_context(request, idea.process)
    context.update(
        {
            "idea": idea,
            "comment": comment,
            "form": form,
            "crumbs": _process_crumbs(
                idea.process, (idea.title, idea.get_absolute_url()), (label, None)
            ),
        }
    )
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not _signed_in(request):
        return _sign_in(request, reverse("frontend:comment_edit", args=[pk]))
    comment = _own_comment(request, pk)
    if request.method == "GET":
        if (
            comment.is_deleted
            or comment.hidden
            or (timezone.now() - comment.created_at > discussion.comment_edit_window())
        ):
            messages.warning(request, _("This comment can no longer be changed."))
            return redirect(_comment_url(comment))
        form = CommentEditForm(initial={"body": textarea_text(comment.body)})
        return _comment_page(
            request, comment, "frontend/ideas/comment_edit.html", form, 200, _("Edit comment")
        )
    form = CommentEditForm(request.POST)
    limited = _too_often(request, "comment")
    if limited:
        form.is_valid()
        form.add_error(None, limited)
        return _comment_page(
            request, comment, "frontend/ideas/comment_edit.html", form, 429, _("Edit comment")
        )
    if form.is_valid():
        try:
            discussion.comment_update(
                actor=request.user, comment=comment, body=paragraphs(form.cleaned_data["body"])
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment is changed."))
            return redirect(_comment_url(comment))
    return _comment_page(
        request, comment, "frontend/ideas/comment_edit.html", form, 400, _("Edit comment")
    )


@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not _signed_in(request):
        return _sign_in(request, reverse("frontend:comment_delete", args=[pk]))
    comment = _own_comment(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    limited = _too_often(request, "comment") if request.method == "POST" else None
    if limited:
        form.is_valid()
        form.add_error(None, limited)
        return _comment_page(
            request, comment, "frontend/ideas/comment_delete.html", form, 429, _("Delete comment")
        )
    if request.method == "POST":
        try:
            discussion.comment_delete(actor=request.user, comment=comment)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment is deleted."))
            return redirect(_comment_url(comment))
        return _comment_page(
            request, comment, "frontend/ideas/comment_delete.html", form, 400, _("Delete comment")
        )
    return _comment_page(
        request, comment, "frontend/ideas/comment_delete.html", form, 200, _("Delete comment")
    )


def _report(request: HttpRequest, idea: Idea, comment: Comment | None, here: str) -> HttpResponse:
    form = ReportForm(request.POST or None)
    status = 200
    limited = _too_often(request, "report") if request.method == "POST" else None
    if limited:
        form.is_valid()
        form.add_error(None, limited)
    elif request.method == "POST":
        if form.is_valid():
            try:
                moderation.report_create(
                    reporter=request.user,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                    idea=None if comment is not None else idea,
                    comment=comment,
                )
            except ValidationError as error:
                errors = error.message_dict if hasattr(error, "error_dict") else {}
                # "already reported" names the item, not a field of this form.
                for key in ("idea", "comment", "target"):
                    if key in errors:
                        for message in errors.pop(key):
                            form.add_error(None, message)
                add_errors(form, errors)
            else:
                messages.success(request, _("Thank you. The moderators will look at your report."))
                back = _comment_url(comment) if comment else idea.get_absolute_url()
                return redirect(back)
        status = 400
    if limited:
        status = 429
    context = _process_context(request, idea.process)
    label = _("Report a comment") if comment else _("Report this idea")
    context.update(
        {
            "idea": idea,
            "comment": comment,
            "form": form,
            "action_url": here,
            "crumbs": _process_crumbs(
                idea.process, (idea.title, idea.get_absolute_url()), (label, None)
            ),
            "heading": label,
        }
    )
    return render(request, "frontend/ideas/report.html", context, status=status)


@require_http_methods(["GET", "POST"])
def idea_report(request: HttpRequest, pk: int) -> HttpResponse:
    here = reverse("frontend:idea_report", args=[pk])
    if not _signed_in(request):
        return _sign_in(request, here)
    idea = selectors.visible_idea(request.user, pk, details=False)
    return _report(request, idea, None, here)


@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    here = reverse("frontend:comment_report", args=[pk])
    if not _signed_in(request):
        return _sign_in(request, here)
    comment = selectors.visible_comment(request.user, pk)
    if comment.is_deleted:
        messages.warning(request, _("This comment was deleted."))
        return redirect(_comment_url(comment))
    return _report(request, comment.idea, comment, here)
