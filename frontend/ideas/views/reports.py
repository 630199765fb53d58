"""Reporting an idea or a comment to the moderators."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from engagement.ideas import selectors
from engagement.ideas.models import Comment, Idea
from engagement.ideas.services import moderation
from frontend.ideas.forms.reports import ReportForm
from frontend.ideas.views.common import (
    is_signed_in,
    process_context,
    process_crumbs,
    sign_in_first,
)
from frontend.ideas.views.ideas import comment_url
from frontend.service_errors import add_service_errors, too_often


def _report(request: HttpRequest, idea: Idea, comment: Comment | None, here: str) -> HttpResponse:
    form = ReportForm(request.POST or None)
    status = 200
    limited = too_often(request, "report") if request.method == "POST" else None
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
                add_service_errors(form, errors)
            else:
                messages.success(request, _("Thank you. The moderators will look at your report."))
                back = comment_url(comment) if comment else idea.get_absolute_url()
                return redirect(back)
        status = 400
    if limited:
        status = 429
    context = process_context(request, idea.process)
    label = _("Report a comment") if comment else _("Report this idea")
    context.update(
        {
            "idea": idea,
            "comment": comment,
            "form": form,
            "action_url": here,
            "crumbs": process_crumbs(
                idea.process, (idea.title, idea.get_absolute_url()), (label, None)
            ),
            "heading": label,
        }
    )
    return render(request, "frontend/ideas/report.html", context, status=status)


@require_http_methods(["GET", "POST"])
def idea_report(request: HttpRequest, pk: int) -> HttpResponse:
    here = reverse("frontend:idea_report", args=[pk])
    if not is_signed_in(request):
        return sign_in_first(request, here)
    idea = selectors.visible_idea(request.user, pk, details=False)
    return _report(request, idea, None, here)


@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    here = reverse("frontend:comment_report", args=[pk])
    if not is_signed_in(request):
        return sign_in_first(request, here)
    comment = selectors.visible_comment(request.user, pk)
    if comment.is_deleted:
        messages.warning(request, _("This comment was deleted."))
        return redirect(comment_url(comment))
    return _report(request, comment.idea, comment, here)
