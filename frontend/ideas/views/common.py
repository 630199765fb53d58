"""What the ideas pages share: htmx requests, the API's rate limit, signing in first, links
to pages that may not exist yet, and what every page of a process shows (its context and
breadcrumbs).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from budgeting.models import Phase
from engagement.ideas import permissions as rules
from engagement.ideas.models import CollectionPhase, ParticipatoryProcess, ProcessKind
from engagement.people.models import District


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (it swaps the answer in place)."""
    return request.headers.get("HX-Request") == "true"


def url_or_none(name: str, *args: Any) -> str | None:
    """A link to another area's page, or ``None`` while that page does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def is_signed_in(request: HttpRequest) -> bool:
    """Whether the visitor is signed in (taking part needs it)."""
    return rules.signed_in(request.user)


def sign_in_first(request: HttpRequest, next_url: str) -> HttpResponse:
    """The sign-in page, coming back to ``next_url`` afterwards."""
    messages.info(request, _("Sign in to take part; you will come back here afterwards."))
    return redirect_to_login(next_url)


def districts_of(organisation_id: int) -> list[District]:
    """The organisation's districts by name, for the idea form and the list's filters."""
    return list(District.objects.filter(organisation_id=organisation_id).order_by("name"))


def process_context(request: HttpRequest, process: ParticipatoryProcess) -> dict[str, Any]:
    """What every page of a process shows: branding, breadcrumbs' start, links."""
    budget_round = process.budget_round if process.kind == ProcessKind.BUDGET else None
    return {
        "organisation": process.organisation,
        "process": process,
        "phase": rules.current_phase(process),
        "phase_label": phase_label(process),
        "budget_round": budget_round,
        "round_url": url_or_none("frontend:round", budget_round.slug) if budget_round else None,
        "can_submit": rules.phase_allows(process, rules.Action.SUBMIT),
    }


def phase_label(process: ParticipatoryProcess) -> str:
    """The name of the phase in force, in the reader's language."""
    phase = rules.current_phase(process)
    choices = Phase if process.kind == ProcessKind.BUDGET else CollectionPhase
    try:
        return str(choices(phase).label)
    except ValueError:
        return phase


def breadcrumbs(*pairs: tuple[str, str | None]) -> list[dict[str, Any]]:
    """``(label, url)`` pairs as the breadcrumbs component reads them (last one: no link)."""
    return [{"label": label, "url": url} for label, url in pairs]


def process_crumbs(process: ParticipatoryProcess, *more: tuple[str, str | None]) -> list:
    """Home, the organisation, the process, then ``more``."""
    return breadcrumbs(
        (_("Home"), reverse("frontend:home")),
        (
            process.organisation.name,
            reverse("frontend:organisation", args=[process.organisation.slug]),
        ),
        (process.title, reverse("frontend:process", args=[process.slug])),
        *more,
    )
