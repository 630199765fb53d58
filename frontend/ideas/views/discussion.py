"""The discussion of an idea: commenting and replying (with htmx, the comments swapped in
place), and changing or deleting one's own comment.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from engagement.ideas import permissions as rules
from engagement.ideas import selectors
from engagement.ideas.models import Comment
from engagement.ideas.services import discussion
from frontend.ideas.forms.common import (
    ConfirmForm,
    paragraphs,
    textarea_text,
)
from frontend.ideas.forms.discussion import CommentEditForm, CommentForm
from frontend.ideas.views.common import (
    is_htmx,
    is_signed_in,
    process_context,
    process_crumbs,
    sign_in_first,
)
from frontend.ideas.views.ideas import comment_page_number, comment_url, detail_context
from frontend.service_errors import add_service_errors, too_often


@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_signed_in(request):
        return sign_in_first(request, reverse("frontend:idea_detail", args=[pk]) + "#comments")
    idea = selectors.visible_idea(request.user, pk, details=False)
    raw_parent = str(request.POST.get("parent") or "")
    reply_to = int(raw_parent) if raw_parent.isdigit() else None
    # A reply form's ids follow the reply box it came from (error summary links to it).
    form = CommentForm(request.POST, auto_id=f"reply-{reply_to}-%s" if reply_to else "id_%s")
    comment = None
    status = 400
    limited = too_often(request, "comment")
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
                    add_service_errors(form, errors)
                else:
                    add_service_errors(form, error)
    if comment is not None and not is_htmx(request):
        messages.success(request, _("Your comment is published."))
        return redirect(comment_url(comment))
    detail = selectors.visible_idea(request.user, pk)
    if comment is not None:
        context = detail_context(request, detail, comments_page_number=comment_page_number(comment))
        context["posted"] = comment.pk
        return render(request, "frontend/ideas/_comments.html", context)
    context = detail_context(
        request,
        detail,
        comment_form=None if reply_to else form,
        reply_form=form if reply_to else None,
        reply_to=reply_to,
    )
    template = (
        "frontend/ideas/_comments.html" if is_htmx(request) else "frontend/ideas/idea_detail.html"
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
    context = process_context(request, idea.process)
    context.update(
        {
            "idea": idea,
            "comment": comment,
            "form": form,
            "crumbs": process_crumbs(
                idea.process, (idea.title, idea.get_absolute_url()), (label, None)
            ),
        }
    )
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_signed_in(request):
        return sign_in_first(request, reverse("frontend:comment_edit", args=[pk]))
    comment = _own_comment(request, pk)
    if request.method == "GET":
        if (
            comment.is_deleted
            or comment.hidden
            or (timezone.now() - comment.created_at > discussion.comment_edit_window())
        ):
            messages.warning(request, _("This comment can no longer be changed."))
            return redirect(comment_url(comment))
        form = CommentEditForm(initial={"body": textarea_text(comment.body)})
        return _comment_page(
            request, comment, "frontend/ideas/comment_edit.html", form, 200, _("Edit comment")
        )
    form = CommentEditForm(request.POST)
    limited = too_often(request, "comment")
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
            return redirect(comment_url(comment))
    return _comment_page(
        request, comment, "frontend/ideas/comment_edit.html", form, 400, _("Edit comment")
    )


@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_signed_in(request):
        return sign_in_first(request, reverse("frontend:comment_delete", args=[pk]))
    comment = _own_comment(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    limited = too_often(request, "comment") if request.method == "POST" else None
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
            return redirect(comment_url(comment))
        return _comment_page(
            request, comment, "frontend/ideas/comment_delete.html", form, 400, _("Delete comment")
        )
    return _comment_page(
        request, comment, "frontend/ideas/comment_delete.html", form, 200, _("Delete comment")
    )
