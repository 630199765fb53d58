"""What the staff pages of a round share: finding the round and checking the role, the round's
staff menu and breadcrumbs, and what each phase means for residents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgeting.models import BudgetRound, Phase
from engagement.people import permissions
from engagement.people.models import Organisation
from frontend.staff_access import Allowed, View, link, staff_crumbs, staff_page

# What each phase means for residents, shown before staff confirm a move.
PHASE_EFFECTS = {
    Phase.DRAFT: gettext_lazy("Only staff can see the round."),
    Phase.INFORMATION: gettext_lazy(
        "The round becomes public: residents can read about it, its budget and its rules."
    ),
    Phase.NEEDS_ASSESSMENT: gettext_lazy(
        "The round becomes public and residents are asked what their neighbourhood needs,"
        " in the round's needs-assessment survey. Proposals open afterwards."
    ),
    Phase.PROPOSALS: gettext_lazy("Residents can submit and discuss ideas for projects."),
    Phase.REVIEW: gettext_lazy(
        "New ideas are closed. Reviewers check each proposal's feasibility and cost."
    ),
    Phase.VOTING: gettext_lazy(
        "Voting opens. Every feasible project goes on the ballot. The ballot format, budgets"
        " and outcome rule can no longer change."
    ),
    Phase.TALLYING: gettext_lazy(
        "Voting closes: nobody can vote or change a ballot any more. Paper ballots can still"
        " be entered, and you can preview and publish the results."
    ),
    Phase.RESULTS: gettext_lazy("The published results are shown to everyone."),
    Phase.IMPLEMENTATION: gettext_lazy(
        "Residents follow how the selected projects are being built."
    ),
    Phase.EVALUATION: gettext_lazy("Residents are asked how the round went."),
    Phase.CLOSED: gettext_lazy("The round is finished. Nothing more can change."),
}
IRREVERSIBLE = frozenset({Phase.VOTING, Phase.TALLYING, Phase.RESULTS, Phase.CLOSED})

PHASE_BADGE = {
    Phase.DRAFT: "",
    Phase.VOTING: "badge--ok",
    Phase.TALLYING: "badge--warn",
    Phase.CLOSED: "",
}


def find_round(slug: str) -> tuple[BudgetRound, Organisation]:
    budget_round = get_object_or_404(BudgetRound.objects.select_related("organisation"), slug=slug)
    return budget_round, budget_round.organisation


def round_page(allowed: Allowed) -> Callable[[View], View]:
    """A staff page of one round: login, then the role in the round's organisation."""
    return staff_page(allowed, find_round)


def phase_badge(phase: str) -> str:
    return PHASE_BADGE.get(phase, "badge--brand")


def round_links(request: HttpRequest, budget_round: BudgetRound) -> list[dict[str, Any]]:
    """Every staff action for a round the user may take, in the order of the cycle."""
    user, organisation = request.user, budget_round.organisation
    admin = permissions.can_manage_organisation(user, organisation)
    slug = budget_round.slug
    candidates = [
        (_("Dashboard"), "staff_round", True),
        (_("Settings"), "staff_round_settings", admin),
        (_("Budgets and districts"), "staff_round_districts", admin),
        (_("Projects"), "staff_round_projects", admin),
        (_("Phase and schedule"), "staff_round_phase", admin),
        (
            _("Paper ballots"),
            "staff_paper",
            permissions.can_enter_paper_ballots(user, organisation),
        ),
        (_("Tally preview"), "staff_tally", admin),
        (_("Publish results"), "staff_publish", admin),
        (_("Statistics"), "staff_statistics", True),
        (_("Implementation"), "staff_implementation", admin),
        (_("Public page"), "round", True),
    ]
    links = []
    for label, name, shown in candidates:
        url = link(name, slug) if shown else None
        if url:
            links.append({"label": label, "url": url, "name": name})
    return links


def round_context(
    request: HttpRequest, budget_round: BudgetRound, current: str, **extra: Any
) -> dict[str, Any]:
    organisation = budget_round.organisation
    crumbs = staff_crumbs(
        organisation,
        (budget_round.title, reverse("frontend:staff_round", args=[budget_round.slug])),
    )
    if current != "staff_round":
        crumbs.append({"label": extra.get("page_title", ""), "url": ""})
    return {
        "organisation": organisation,
        "budget_round": budget_round,
        "round_links": round_links(request, budget_round),
        "current": current,
        "crumbs": crumbs,
        "phase_badge": phase_badge(budget_round.phase),
        "is_admin": permissions.can_manage_organisation(request.user, organisation),
        **extra,
    }
