"""Supporting and following an idea: a POST and a redirect with a message, or with htmx the
support or follow box swapped in place.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from engagement.ideas import selectors
from engagement.ideas.services import supports
from frontend.ideas.views.common import is_htmx, is_signed_in, sign_in_first
from frontend.ideas.views.ideas import detail_context
from frontend.service_errors import too_often


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
    if is_htmx(request):
        context = detail_context(request, idea, errors=errors)
        context["fragment"] = True
        return render(request, fragment, context, status=status if errors else 200)
    if errors:
        return render(
            request,
            "frontend/ideas/idea_detail.html",
            detail_context(request, idea, errors=errors),
            status=status,
        )
    messages.success(request, done)
    return redirect(idea.get_absolute_url())


@require_POST
def idea_support(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_signed_in(request):
        return sign_in_first(request, reverse("frontend:idea_detail", args=[pk]))
    idea = selectors.visible_idea(request.user, pk, details=False)
    remove = request.POST.get("action") == "remove"
    done = _("Your support is taken back.") if remove else _("Thank you for your support.")
    limited = too_often(request, "support")
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
    if not is_signed_in(request):
        return sign_in_first(request, reverse("frontend:idea_detail", args=[pk]))
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
