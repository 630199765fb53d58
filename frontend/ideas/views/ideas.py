"""Citizen ideas: the list (filters, sort, search, swapped in place with htmx), the similar-ideas
hint, writing, editing and withdrawing an idea, removing its images, and the idea's page (its
history, discussion in pages of threads, similar ideas), which the support, follow and comment
actions re-render too (:func:`detail_context`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagement.content.sanitise import text_of
from engagement.ideas import permissions as rules
from engagement.ideas import ports as idea_ports
from engagement.ideas import selectors
from engagement.ideas.models import Comment, Idea, IdeaImage, IdeaStatus
from engagement.ideas.services import discussion
from engagement.ideas.services import ideas as idea_services
from frontend.ideas.forms.common import ConfirmForm
from frontend.ideas.forms.discussion import CommentForm
from frontend.ideas.forms.ideas import IdeaFilterForm, IdeaForm
from frontend.ideas.views.common import (
    districts_of,
    is_htmx,
    is_signed_in,
    process_context,
    process_crumbs,
    sign_in_first,
    url_or_none,
)
from frontend.service_errors import add_service_errors, too_often

IDEAS_PER_PAGE = 20
COMMENT_THREADS_PER_PAGE = 30
SIMILAR_MIN_LETTERS = 3


@require_GET
def idea_list(request: HttpRequest, slug: str) -> HttpResponse:
    current = selectors.visible_process(request.user, slug)
    districts = districts_of(current.organisation_id)
    form = IdeaFilterForm(
        request.GET or None,
        process=current,
        districts=districts,
        signed_in=is_signed_in(request),
    )
    arguments = form.selector_arguments()
    invalid = form.is_bound and not form.is_valid()
    ideas = selectors.idea_list(request.user, current, **arguments)
    page_obj = Paginator(ideas, IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    context = process_context(request, current)
    context.update(
        {
            "form": form,
            "page_obj": page_obj,
            "ideas": list(page_obj.object_list),
            "filtered": any(arguments[k] for k in ("q", "category", "district", "status", "mine")),
            "crumbs": process_crumbs(current, (_("Ideas"), None)),
        }
    )
    template = "frontend/ideas/idea_list.html"
    if (
        is_htmx(request)
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
    if not is_signed_in(request):
        return sign_in_first(request, here)
    context = process_context(request, current)
    if request.method == "GET" and not context["can_submit"]:
        messages.warning(request, _("New ideas cannot be submitted in this phase."))
        return redirect("frontend:process", slug)
    form_options = {
        "process": current,
        "districts": districts_of(current.organisation_id),
        "similar_url": reverse("frontend:idea_similar", args=[slug]),
    }
    status = 200
    if request.method == "POST":
        form = IdeaForm(request.POST, request.FILES, **form_options)
        status = 400
        limited = too_often(request, "idea")
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
            "crumbs": process_crumbs(current, (_("New idea"), None)),
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
    if not is_signed_in(request):
        return sign_in_first(request, here)
    idea = _own_idea(request, pk)
    current = idea.process
    form_options = {
        "process": current,
        "districts": districts_of(current.organisation_id),
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
        limited = too_often(request, "idea") if counted else None
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
    context = process_context(request, current)
    context.update(
        {
            "form": form,
            "idea": idea,
            "max_images": idea_services.max_images_per_idea(),
            "crumbs": process_crumbs(
                current,
                (idea.title, idea.get_absolute_url()),
                (_("Edit"), None),
            ),
        }
    )
    return render(request, "frontend/ideas/idea_form.html", context, status=status)


@require_POST
def idea_image_remove(request: HttpRequest, pk: int, image_id: int) -> HttpResponse:
    if not is_signed_in(request):
        return sign_in_first(request, reverse("frontend:idea_edit", args=[pk]))
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
    if not is_signed_in(request):
        return sign_in_first(request, here)
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
    context = process_context(request, idea.process)
    context.update(
        {
            "idea": idea,
            "form": form,
            "crumbs": process_crumbs(
                idea.process, (idea.title, idea.get_absolute_url()), (_("Withdraw"), None)
            ),
        }
    )
    return render(request, "frontend/ideas/idea_withdraw.html", context, status=status)


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


def comment_page_number(comment: Comment) -> int:
    """The page of the discussion (oldest first) that shows ``comment``'s thread."""
    root_id = comment.root_id or comment.pk
    earlier = Comment.objects.filter(
        idea_id=comment.idea_id, parent__isnull=True, pk__lt=root_id
    ).count()
    return earlier // COMMENT_THREADS_PER_PAGE + 1


def comment_url(comment: Comment) -> str:
    page = comment_page_number(comment)
    base = reverse("frontend:idea_detail", args=[comment.idea_id])
    query = f"?comments_page={page}" if page > 1 else ""
    return f"{base}{query}#comment-{comment.pk}"


def detail_context(
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
    context = process_context(request, current)
    context.update(
        {
            "idea": idea,
            "perms": rules.idea_permissions(request.user, idea),
            "signed_in": is_signed_in(request),
            "can_report": rules.can_report(request.user),
            "staff": rules.can_see_hidden(request.user, current),
            "history": status_history(idea),
            "merged_into": merged_into,
            "origin": workshop_origin(idea),
            "project": project,
            "project_url": url_or_none("frontend:project", project.round.slug, project.pk)
            if project
            else None,
            "threads": threads,
            "comments_page": comments_page,
            "comment_form": comment_form or CommentForm(),
            "reply_form": reply_form,
            "reply_to": reply_to,
            "edit_since": timezone.now() - discussion.comment_edit_window(),
            "similar": similar,
            "review_url": url_or_none("frontend:staff_idea_review", idea.pk)
            if rules.can_review_idea(request.user, idea) or rules.can_merge_idea(request.user, idea)
            else None,
            "moderation_url": url_or_none("frontend:staff_moderation", current.organisation.slug)
            if rules.can_moderate(request.user, current)
            else None,
            "page_errors": errors or [],
            "crumbs": process_crumbs(
                current,
                (_("Ideas"), reverse("frontend:idea_list", args=[current.slug])),
                (idea.title, None),
            ),
        }
    )
    return context


def workshop_origin(idea: Idea) -> dict[str, Any] | None:
    """The workshop an idea came from (a note or cluster of its board), if any."""
    origin = idea_ports.idea_origins([idea.pk]).get(idea.pk)
    if not origin or origin.get("kind") != "workshop":
        return None
    return {
        "title": origin.get("title", ""),
        "url": url_or_none("frontend:workshop_detail", origin["workshop"]),
    }


@require_GET
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.visible_idea(request.user, pk)
    return render(request, "frontend/ideas/idea_detail.html", detail_context(request, idea))
