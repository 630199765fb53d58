"""Voting: the ballot in each format, review and confirmation, receipt, change and withdraw.

Thin views over the same reads and services as the API (``budgeting.services.reads``,
``budgeting.services.voting``, which alone checks a ballot against the rules), with the
API's messages (``budgeting.messages``) and rate limits (``engagement.http.rate_limits``,
scopes ``ballot`` and ``receipt``). Nothing here logs or flashes what a ballot contains;
the receipt code travels from the cast to the page that shows it once in a short-lived
signed cookie, never in the session or the database.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from budgeting import phases
from budgeting.messages import conflict_message, eligibility_reasons
from budgeting.models import BudgetRound, DistrictBudget, PhaseSchedule, Project
from budgeting.phases import Action
from budgeting.services import reads, voting
from budgeting.tally import natural_key
from engagement.http.rate_limits import rate_limited
from engagement.money import CURRENCIES
from engagement.people.models import Residence
from frontend.budgeting.forms.ballot import BallotForm, ReceiptForm, WithdrawForm
from frontend.budgeting.views.rounds import project_url_prefix

# What a voter can do about each reason they may not vote (engagement.people.eligibility codes).
# ``link`` names the page where it is done.
ELIGIBILITY_HELP: dict[str, tuple[Any, str | None]] = {
    "not_signed_in": (gettext_lazy("Sign in, or create an account, then come back here."), None),
    "email_not_verified": (
        gettext_lazy(
            "Open the link in the email we sent you. No email? Ask for a new one on your "
            "email addresses page."
        ),
        "account_email",
    ),
    "age_unknown": (
        gettext_lazy("Add your year of birth on your account page, then come back here."),
        "frontend:account",
    ),
    "too_young": (
        gettext_lazy(
            "You cannot vote in this round, but you can still follow the projects and the results."
        ),
        None,
    ),
    "residence_unknown": (
        gettext_lazy("Set the district you live in on your account page."),
        "frontend:account",
    ),
    "not_resident": (
        gettext_lazy("You can vote in the city-wide budget and in your own district's budget."),
        None,
    ),
}

RECEIPT_COOKIE = "kopa_receipt"


# --- lookups ------------------------------------------------------------------------------


def _round(request: HttpRequest, slug: str) -> BudgetRound:
    """The round if the visitor may see it (drafts of other organisations: 404)."""
    return reads.visible_round(request.user, slug)


def _district_budget(budget_round: BudgetRound, key: str) -> DistrictBudget:
    district_budget = voting.district_budgets(budget_round).get(key)
    if district_budget is None:
        raise Http404
    return district_budget


def _ballot_projects(district_budget: DistrictBudget) -> list[Project]:
    projects = Project.objects.filter(
        district_budget=district_budget, status__in=voting.BALLOT_STATUSES
    ).only("pk", "external_id", "title", "description", "translations", "cost", "round_id")
    return sorted(projects, key=lambda p: natural_key(p.external_id))


def _voting_open(budget_round: BudgetRound) -> bool:
    return phases.allows(budget_round.phase, Action.VOTE)


def _context(budget_round: BudgetRound, **extra: Any) -> dict[str, Any]:
    return {"organisation": budget_round.organisation, "budget_round": budget_round, **extra}


def _reasons(codes: list[str]) -> list[dict[str, Any]]:
    """The API's reasons (code, message), each once, with what the voter can do about it."""
    rows = []
    for reason in eligibility_reasons(dict.fromkeys(codes)):
        help_text, link = ELIGIBILITY_HELP.get(reason["code"], ("", None))
        rows.append({**reason, "help": help_text, "link": reverse(link) if link else None})
    return rows


# --- pages that say why there is no ballot ---------------------------------------------------


def _not_voting(request: HttpRequest, budget_round: BudgetRound, status: int = 200) -> HttpResponse:
    schedule = {s.phase: s for s in PhaseSchedule.objects.filter(round=budget_round)}
    before = not phases.is_after(budget_round.phase, "voting") and budget_round.phase != "voting"
    opens = schedule.get("voting")
    closes = schedule.get("tallying")
    return render(
        request,
        "frontend/ballot/not_voting.html",
        _context(
            budget_round,
            before=before,
            opens_at=opens.starts_at if before and opens and not opens.done_at else None,
            closed_at=_closed_at(budget_round, closes) if not before else None,
        ),
        status=status,
    )


def _closed_at(budget_round: BudgetRound, closes: PhaseSchedule | None) -> Any:
    if closes is not None and (closes.done_at or closes.starts_at):
        return closes.done_at or closes.starts_at
    # Straight after voting, the last phase change is when it closed.
    return budget_round.phase_changed_at if budget_round.phase == "tallying" else None


def _sign_in(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    return render(
        request,
        "frontend/ballot/sign_in.html",
        _context(budget_round, next_url=request.get_full_path()),
    )


def _not_eligible(
    request: HttpRequest,
    budget_round: BudgetRound,
    codes: list[str],
    district_budget: DistrictBudget | None = None,
) -> HttpResponse:
    return render(
        request,
        "frontend/ballot/not_eligible.html",
        _context(budget_round, district_budget=district_budget, reasons=_reasons(codes)),
        status=403,
    )


def _conflict(
    request: HttpRequest,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    code: str,
    status: int = 409,
) -> HttpResponse:
    return render(
        request,
        "frontend/ballot/conflict.html",
        _context(
            budget_round,
            district_budget=district_budget,
            code=code,
            message=conflict_message(code),
            can_change=budget_round.ballot_changes_allowed
            and code == "already_voted"
            and _voting_open(budget_round),
        ),
        status=status,
    )


def _too_many(request: HttpRequest, budget_round: BudgetRound, wait: int) -> HttpResponse:
    response = render(
        request, "frontend/ballot/too_many.html", _context(budget_round, wait=wait), status=429
    )
    response["Retry-After"] = str(wait)
    return response


# --- choosing the district budget --------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def ballot(request: HttpRequest, slug: str) -> HttpResponse:
    budget_round = _round(request, slug)
    if not _voting_open(budget_round):
        return _not_voting(request, budget_round)
    if not request.user.is_authenticated:
        return _sign_in(request, budget_round)
    budgets = list(voting.district_budgets(budget_round).values())
    budgets.sort(key=lambda d: (not d.is_citywide, d.position, d.name))
    if len(budgets) == 1:
        return redirect("frontend:ballot_district", budget_round.slug, budgets[0].key)
    # The API's own read: eligibility and participation per district budget.
    overview = reads.ballot_overview(request.user, budget_round)
    by_key = {row["district"]: row for row in overview["districts"]}
    home_district = (
        Residence.objects.filter(user=request.user, organisation=budget_round.organisation)
        .values_list("district_id", flat=True)
        .first()
    )
    limited_vote = next(
        (
            d
            for d in budgets
            if not d.is_citywide
            and by_key[d.key]["participation"]
            and budget_round.one_district_per_voter
        ),
        None,
    )
    entries, elsewhere, codes = [], [], []
    for district_budget in budgets:
        row = by_key[district_budget.key]
        row_codes = [e["code"] for e in row["eligibility_errors"]]
        entry = {
            "budget": district_budget,
            "participation": row["participation"],
            "eligible": row["eligible"],
            "reasons": _reasons(row_codes),
            "home": district_budget.district_id is not None
            and district_budget.district_id == home_district,
            "blocked_by": limited_vote
            if limited_vote is not None
            and limited_vote != district_budget
            and not district_budget.is_citywide
            else None,
        }
        codes += row_codes
        # District ballots the voter is simply not a resident of are summed up in one line.
        if row_codes == ["not_resident"] and not row["participation"]:
            elsewhere.append(district_budget)
        else:
            entries.append(entry)
    # City-wide first, then the district the voter lives in, then the others.
    entries.sort(key=lambda e: (not e["budget"].is_citywide, not e["home"]))
    if not any(e["eligible"] or e["participation"] for e in entries):
        return _not_eligible(request, budget_round, codes)
    return render(
        request,
        "frontend/ballot/choose.html",
        _context(
            budget_round,
            entries=entries,
            elsewhere=elsewhere,
            secret=budget_round.secret_ballot,
            changes_allowed=budget_round.ballot_changes_allowed,
        ),
    )


# --- the ballot ----------------------------------------------------------------------------


def _render_ballot(
    request: HttpRequest,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    form: BallotForm,
    *,
    voted: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    rules = form.rules
    return render(
        request,
        "frontend/ballot/ballot.html",
        _context(
            budget_round,
            district_budget=district_budget,
            form=form,
            rows=form.rows(project_url_prefix(budget_round)),
            rules=rules,
            format=form.format,
            max_rank=form.max_rank,
            currency_digits=CURRENCIES.get(budget_round.currency, 2),
            voted=voted,
            secret=budget_round.secret_ballot,
        ),
        status=status,
    )


def _guard(
    request: HttpRequest, budget_round: BudgetRound, district_budget: DistrictBudget
) -> HttpResponse | None:
    """The answer when there is no ballot to fill in: closed, signed out, not eligible."""
    if not _voting_open(budget_round):
        return _not_voting(request, budget_round, status=200 if request.method == "GET" else 400)
    if not request.user.is_authenticated:
        if request.method == "GET":
            return _sign_in(request, budget_round)
        return redirect_to_login(
            reverse("frontend:ballot_district", args=[budget_round.slug, district_budget.key])
        )
    codes = voting.eligibility_errors(request.user, budget_round, district_budget)
    if codes:
        return _not_eligible(request, budget_round, codes, district_budget)
    return None


def _form(
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    data: Any = None,
    *,
    need_receipt: bool = False,
) -> BallotForm:
    return BallotForm(
        data,
        budget_round=budget_round,
        district_budget=district_budget,
        projects=_ballot_projects(district_budget),
        need_receipt=need_receipt,
    )


@require_http_methods(["GET", "HEAD"])
def ballot_district(request: HttpRequest, slug: str, district_key: str) -> HttpResponse:
    budget_round = _round(request, slug)
    district_budget = _district_budget(budget_round, district_key)
    stop = _guard(request, budget_round, district_budget)
    if stop is not None:
        return stop
    voted, conflict = voting.my_ballot_here(request.user, budget_round, district_budget)
    if conflict is not None:
        return _conflict(request, budget_round, district_budget, conflict, status=200)
    form = _form(
        budget_round, district_budget, need_receipt=bool(voted and budget_round.secret_ballot)
    )
    if voted is not None:
        form.initial_from(voted["projects"], voted["points"])  # None in secret rounds
    return _render_ballot(request, budget_round, district_budget, form, voted=voted)


@sensitive_post_parameters()  # error reports never carry a ballot or a receipt code
@require_POST
def ballot_review(request: HttpRequest, slug: str, district_key: str) -> HttpResponse:
    """Check the ballot (the voting service), show it back, and cast it on "Confirm"."""
    budget_round = reads.round_for_ballot(request.user, slug)  # the API's lookup for a cast
    district_budget = _district_budget(budget_round, district_key)
    stop = _guard(request, budget_round, district_budget)
    if stop is not None:
        return stop
    if request.POST.get("action") == "confirm":
        # The same confirmation again (its answer was lost, the page was resubmitted): the
        # ballot is in, so show its receipt again instead of "you have already voted".
        cast_key = request.POST.get("cast_key", "")
        if re.fullmatch(voting.CAST_KEY_PATTERN, cast_key):
            answered = voting.cast_answered_before(request.user, district_budget, cast_key)
            if answered is not None:
                return _show_receipt(budget_round, district_budget, answered)
    voted, conflict = voting.my_ballot_here(request.user, budget_round, district_budget)
    if conflict is not None:
        return _conflict(request, budget_round, district_budget, conflict)
    need_receipt = bool(voted and budget_round.secret_ballot)
    form = _form(budget_round, district_budget, request.POST, need_receipt=need_receipt)
    if not form.is_valid():
        return _render_ballot(request, budget_round, district_budget, form, voted=voted, status=400)
    action = request.POST.get("action")
    if action == "confirm":
        return _cast(request, budget_round, district_budget, form, voted)
    try:
        valid = voting.ballot_check(budget_round, district_budget, *form.choices())
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render_ballot(request, budget_round, district_budget, form, voted=voted, status=400)
    if action == "change":
        # Back to the ballot with every choice kept (they came back as hidden fields).
        return _render_ballot(request, budget_round, district_budget, form, voted=voted)
    return render(
        request,
        "frontend/ballot/review.html",
        _context(
            budget_round,
            district_budget=district_budget,
            form=form,
            chosen=form.review_rows(),
            carried=form.carried_fields(),
            total_cost=valid.total_cost,
            total_points=sum(valid.points or ()),
            format=form.format,
            voted=voted,
        ),
    )


def _cast(
    request: HttpRequest,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    form: BallotForm,
    voted: dict[str, Any] | None,
) -> HttpResponse:
    refused = rate_limited(request, "ballot")
    if refused is not None:
        return _too_many(request, budget_round, refused.seconds())
    # The service checks the ballot against the rules as it casts it.
    projects, points = form.choices()
    try:
        receipt = voting.ballot_cast(
            voter=request.user,
            budget_round=budget_round,
            district_budget=district_budget,
            projects=projects,
            points=points,
            receipt=form.cleaned_data.get("receipt"),
            cast_key=form.cleaned_data.get("cast_key"),
        )
    except voting.NotEligible as exc:
        return _not_eligible(request, budget_round, exc.codes, district_budget)
    except voting.AlreadyVoted as exc:
        return _conflict(request, budget_round, district_budget, exc.code)
    except ValidationError as exc:
        errors = exc.error_dict if hasattr(exc, "error_dict") else {}
        if "phase" in errors:
            return _not_voting(request, budget_round, status=400)
        if "receipt" in errors and "receipt" not in form.fields:
            # Someone voted in the meantime (another tab): ask for the code.
            form = _form(budget_round, district_budget, request.POST, need_receipt=True)
            form.is_valid()
        form.add_service_errors(exc)
        return _render_ballot(request, budget_round, district_budget, form, voted=voted, status=400)
    return _show_receipt(budget_round, district_budget, receipt)


def _show_receipt(
    budget_round: BudgetRound, district_budget: DistrictBudget, receipt: voting.CastReceipt
) -> HttpResponse:
    """To the page that shows the receipt code once, the code in a short-lived cookie."""
    response = redirect("frontend:ballot_done", budget_round.slug, district_budget.key)
    response.set_signed_cookie(
        RECEIPT_COOKIE,
        f"{receipt.receipt}|{int(receipt.changed)}",
        salt=_receipt_salt(budget_round, district_budget),
        max_age=600,
        path=reverse("frontend:ballot_done", args=[budget_round.slug, district_budget.key]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def _receipt_salt(budget_round: BudgetRound, district_budget: DistrictBudget) -> str:
    return f"kopa.ballot.receipt:{budget_round.pk}:{district_budget.pk}"


@require_http_methods(["GET", "HEAD"])
def ballot_done(request: HttpRequest, slug: str, district_key: str) -> HttpResponse:
    """The receipt code, shown once: the cookie that carried it is deleted here."""
    budget_round = _round(request, slug)
    district_budget = _district_budget(budget_round, district_key)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    path = reverse("frontend:ballot_done", args=[budget_round.slug, district_key])
    value = request.get_signed_cookie(
        RECEIPT_COOKIE,
        default=None,
        salt=_receipt_salt(budget_round, district_budget),
        max_age=600,
    )
    code, changed = None, False
    if value:
        code, _sep, flag = value.partition("|")
        changed = flag == "1"
    voted = None
    if code is None:
        voted, _conflict_here = voting.my_ballot_here(request.user, budget_round, district_budget)
        if voted is None:
            return redirect("frontend:ballot", budget_round.slug)
    response = render(
        request,
        "frontend/ballot/done.html",
        _context(
            budget_round,
            district_budget=district_budget,
            receipt=code,
            changed=changed,
            voted=voted,
            secret=budget_round.secret_ballot,
            changes_allowed=budget_round.ballot_changes_allowed and _voting_open(budget_round),
        ),
    )
    response.delete_cookie(RECEIPT_COOKIE, path=path, samesite="Strict")
    response["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def ballot_withdraw(request: HttpRequest, slug: str, district_key: str) -> HttpResponse:
    """Withdraw an online ballot (a confirmation step first), where the round allows it."""
    budget_round = _round(request, slug)
    district_budget = _district_budget(budget_round, district_key)
    if not _voting_open(budget_round):
        return _not_voting(request, budget_round, status=200 if request.method == "GET" else 400)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    voted, conflict = voting.my_ballot_here(request.user, budget_round, district_budget)
    if voted is None or conflict is not None:
        if conflict in ("voted_on_paper", "already_voted"):
            return _conflict(request, budget_round, district_budget, conflict, status=200)
        messages.info(request, _("You have no online ballot in this budget to withdraw."))
        return redirect("frontend:ballot", budget_round.slug)
    form = WithdrawForm(
        request.POST if request.method == "POST" else None,
        need_receipt=budget_round.secret_ballot,
    )
    status = 200
    if request.method == "POST":
        refused = rate_limited(request, "ballot")
        if refused is not None:
            return _too_many(request, budget_round, refused.seconds())
        if form.is_valid():
            try:
                voting.ballot_withdraw(
                    voter=request.user,
                    budget_round=budget_round,
                    district_budget=district_budget,
                    receipt=form.cleaned_data.get("receipt"),
                )
            except ValidationError as exc:
                for field, field_errors in exc.error_dict.items():
                    for error in field_errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(
                    request,
                    _(
                        "Your ballot was withdrawn and is no longer counted. You can vote "
                        "again while voting is open."
                    ),
                )
                return redirect("frontend:ballot", budget_round.slug)
        status = 400
    return render(
        request,
        "frontend/ballot/withdraw.html",
        _context(budget_round, district_budget=district_budget, form=form),
        status=status,
    )


# --- receipt check -------------------------------------------------------------------------


@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def receipt_check(request: HttpRequest, slug: str) -> HttpResponse:
    """Is the ballot with this code counted? The same service as the API, never the content."""
    budget_round = _round(request, slug)
    form = ReceiptForm(request.POST if request.method == "POST" else None)
    answer, status = None, 200
    if request.method == "POST":
        refused = rate_limited(request, "receipt")
        if refused is not None:
            return _too_many(request, budget_round, refused.seconds())
        if form.is_valid():
            answer = voting.receipt_check(
                budget_round=budget_round, code=form.cleaned_data["receipt"]
            )
            if answer["counted"]:
                district_budget = voting.district_budgets(budget_round).get(answer["district"])
                answer["district_name"] = district_budget.name if district_budget else ""
        else:
            status = 400
    return render(
        request,
        "frontend/ballot/receipt_check.html",
        _context(budget_round, form=form, answer=answer),
        status=status,
    )
