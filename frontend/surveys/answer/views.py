"""Resident pages of surveys: an organisation's surveys, answering one section per page
(without JavaScript), the review before sending, thanks; the staff page of invitation codes.

The answers given so far travel with the form in a signed hidden field, so a visitor
without an account leaves nothing on the server until the response is sent; a signed-in
person's answers are also kept as a draft at every step (continue on another device). The
server evaluates the conditions: a section whose questions are all hidden is skipped, and
an answer to a question hidden by an earlier answer is dropped.
"""

from __future__ import annotations

import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engagement.content.languages import localised
from engagement.people import eligibility
from engagement.people.models import Organisation
from frontend.staff_access import link, staff_crumbs, staff_page
from frontend.surveys.answer.display import answer_text, section_view
from frontend.surveys.answer.forms import GenerateInvitationsForm, InvitationForm, section_answers
from surveys import answers as rules
from surveys import permissions, selectors
from surveys.models import Question, ResponseStatus, Section, Survey, SurveyState
from surveys.services import responding

STATE_SALT = "kopa.surveys.page-state"
REVIEW = "review"


def _crumbs(survey: Survey, *more: tuple[str, str | None]) -> list[dict[str, Any]]:
    pairs = [
        (_("Home"), reverse("frontend:home")),
        (
            survey.organisation.name,
            reverse("frontend:organisation", args=[survey.organisation.slug]),
        ),
        (_("Surveys"), reverse("frontend:organisation_surveys", args=[survey.organisation.slug])),
        (localised(survey, "title"), survey.get_absolute_url() if more else None),
        *more,
    ]
    return [{"label": label, "url": url or ""} for label, url in pairs]


# --- an organisation's surveys ----------------------------------------------------------------


@require_GET
def organisation_surveys(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=org_slug)
    groups: dict[str, list[dict[str, Any]]] = {"open": [], "upcoming": [], "closed": []}
    for survey in selectors.surveys_visible_to(request.user, organisation.slug):
        state = permissions.current_state(survey)
        group = {SurveyState.OPEN: "open", SurveyState.CLOSED: "closed"}.get(state, "upcoming")
        groups[group].append(
            {
                "survey": survey,
                "title": localised(survey, "title"),
                "description": localised(survey, "description"),
                "state": state,
                "state_label": SurveyState(state).label,
                "url": survey.get_absolute_url(),
                "results_url": reverse("frontend:survey_results", args=[survey.slug])
                if permissions.results_published(survey)
                else None,
            }
        )
    crumbs = [
        {"label": _("Home"), "url": reverse("frontend:home")},
        {"label": organisation.name, "url": reverse("frontend:organisation", args=[org_slug])},
        {"label": _("Surveys"), "url": ""},
    ]
    with timezone.override(ZoneInfo(organisation.time_zone)):
        return render(
            request,
            "surveys/answer/list.html",
            {"organisation": organisation, "groups": groups, "crumbs": crumbs},
        )


# --- answering ----------------------------------------------------------------------------


class Flow:
    """One survey's structure for the answering pages."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.sections: list[Section] = selectors.sections_of(survey)
        self.questions: list[Question] = selectors.questions_of(survey)
        self.by_code = {q.code: q for q in self.questions}
        self.specs = selectors.question_specs(survey)

    def hidden(self, answers: dict[str, Any]) -> set[str]:
        return rules.hidden_codes(self.specs, answers)

    def visible_steps(self, answers: dict[str, Any]) -> list[int]:
        hidden = self.hidden(answers)
        return [
            index
            for index, section in enumerate(self.sections)
            if any(q.code not in hidden for q in section.questions.all())
        ]

    def hidden_on_page(self, answers: dict[str, Any], step: int) -> set[str]:
        """Hidden by an answer of an earlier section. A condition on a question of the same
        section cannot be evaluated before the page is sent: such a question is shown,
        with a hint, and dropped if its condition does not match."""
        codes = self.codes_of(step)
        return {
            code
            for code in self.hidden(answers)
            if (self.by_code[code].condition or {}).get("question") not in codes
        }

    def codes_of(self, step: int) -> set[str]:
        return {q.code for q in self.sections[step].questions.all()}

    def without_hidden(self, answers: dict[str, Any]) -> dict[str, Any]:
        hidden = self.hidden(answers)
        return {code: value for code, value in answers.items() if code not in hidden}

    def step_of(self, code: str) -> int:
        for index, section in enumerate(self.sections):
            if any(q.code == code for q in section.questions.all()):
                return index
        return 0


def _state_dump(state: dict[str, Any]) -> str:
    return signing.dumps(state, salt=STATE_SALT, compress=True)


def _state_load(text: str) -> dict[str, Any] | None:
    try:
        state = signing.loads(text, salt=STATE_SALT)
    except signing.BadSignature:
        return None
    return state if isinstance(state, dict) and isinstance(state.get("a"), dict) else None


def _seed(request: HttpRequest, survey: Survey) -> str:
    if request.user.is_authenticated:
        return f"{request.user.pk}:{survey.pk}"
    return secrets.token_hex(8)


def _base(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    return {
        "organisation": survey.organisation,
        "survey": survey,
        "title": localised(survey, "title"),
    }


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    # Answers and tokens are someone's own: never kept by a cache.
    add_never_cache_headers(response)
    return response


def _section_page(
    request: HttpRequest,
    flow: Flow,
    state: dict[str, Any],
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    answers = state["a"]
    steps = flow.visible_steps(answers)
    step = state["step"] if state["step"] in steps else (steps[0] if steps else 0)
    state["step"] = step
    errors = errors or {}
    section = section_view(
        flow.sections[step],
        step,
        answers,
        errors=errors,
        hidden=flow.hidden_on_page(answers, step),
        seed=state["seed"],
        by_code=flow.by_code,
    )
    summary = [
        {"message": f"{q.text}: {message}", "anchor": q.input_id}
        for q in section.questions
        for message in q.errors
    ]
    position = steps.index(step) + 1 if step in steps else 1
    context = {
        **_base(request, flow.survey),
        "crumbs": _crumbs(
            flow.survey, (localised(flow.sections[step], "title") or _("Questions"), None)
        ),
        "section": section,
        "state": _state_dump(state),
        "position": position,
        "total": len(steps),
        "first": position == 1,
        "last": position == len(steps),
        "summary": summary,
        "can_save": request.user.is_authenticated and not state.get("change"),
        "changing": bool(state.get("change")),
    }
    return _render(request, "surveys/answer/section.html", context, status)


def _review_page(
    request: HttpRequest,
    flow: Flow,
    state: dict[str, Any],
    *,
    invitation_form: InvitationForm | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    state["step"] = REVIEW
    answers = state["a"]
    hidden = flow.hidden(answers)
    sections = []
    for index in flow.visible_steps(answers):
        section = flow.sections[index]
        rows = [
            {
                "question": localised(q, "text"),
                "answer": answer_text(q, answers.get(q.code)),
            }
            for q in section.questions.all()
            if q.code not in hidden
        ]
        sections.append({"index": index, "title": localised(section, "title"), "rows": rows})
    needs_code = flow.survey.invitation_required and not state.get("change")
    if needs_code and invitation_form is None:
        invitation_form = InvitationForm()
    context = {
        **_base(request, flow.survey),
        "crumbs": _crumbs(flow.survey, (_("Check and send"), None)),
        "sections": sections,
        "state": _state_dump(state),
        "invitation_form": invitation_form if needs_code else None,
        "problems": problems or [],
        "changing": bool(state.get("change")),
    }
    return _render(request, "surveys/answer/review.html", context, status)


def _refused_page(request: HttpRequest, survey: Survey, codes: list[str]) -> HttpResponse:
    context = {
        **_base(request, survey),
        "crumbs": _crumbs(survey),
        "reasons": eligibility.eligibility_reasons(codes, eligibility.SURVEY),
        "sign_in": "not_signed_in" in codes,
        "profile_url": link("account"),
    }
    return _render(request, "surveys/answer/refused.html", context)


def _save_draft(request: HttpRequest, flow: Flow, state: dict[str, Any]) -> None:
    """Signed in and not changing a sent response: keep the answers so far as the draft."""
    if request.user.is_authenticated and not state.get("change"):
        responding.save_draft(flow.survey, state["a"], actor=request.user)


def _step_errors(
    flow: Flow, answers: dict[str, Any], step: int, *, complete: bool
) -> dict[str, list[str]]:
    checked = rules.check(flow.specs, answers, partial=not complete)
    codes = flow.codes_of(step)
    return {code: messages for code, messages in checked.errors.items() if code in codes}


@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, slug: str) -> HttpResponse:
    survey = selectors.visible_survey(request.user, slug)
    state_now = permissions.current_state(survey)
    if state_now != SurveyState.OPEN:
        context = {
            **_base(request, survey),
            "crumbs": _crumbs(survey),
            "state": state_now,
            "description": localised(survey, "description"),
            "results_url": reverse("frontend:survey_results", args=[survey.slug])
            if permissions.results_published(survey)
            else None,
        }
        with timezone.override(ZoneInfo(survey.organisation.time_zone)):
            return _render(request, "surveys/answer/not_open.html", context)
    codes = responding.eligibility_codes(survey, request.user)
    if codes:
        return _refused_page(request, survey, codes)
    own = selectors.own_response(survey, request.user)
    sent = own is not None and own.status == ResponseStatus.SUBMITTED
    flow = Flow(survey)
    if request.method == "GET":
        if sent and not (request.GET.get("change") and responding.may_change(survey, own)):
            context = {
                **_base(request, survey),
                "crumbs": _crumbs(survey),
                "response": own,
                "may_change": responding.may_change(survey, own),
            }
            return _render(request, "surveys/answer/answered.html", context)
        state = {
            "a": flow.without_hidden(responding.initial_answers(survey, request.user)),
            "step": 0,
            "seed": _seed(request, survey),
            "t": responding.form_token_or_none(survey, request.user),
            "change": sent,
        }
        return _section_page(request, flow, state)
    state = _state_load(request.POST.get("state", ""))
    if state is None:
        messages.warning(request, _("The form could not be read; please start again."))
        return redirect(survey.get_absolute_url())
    if sent and not state.get("change"):
        return redirect(survey.get_absolute_url())
    action = request.POST.get("action", "next")
    if state["step"] == REVIEW:
        return _from_review(request, flow, state, action)
    return _from_section(request, flow, state, action)


def _from_section(
    request: HttpRequest, flow: Flow, state: dict[str, Any], action: str
) -> HttpResponse:
    step = (
        state["step"]
        if isinstance(state["step"], int) and 0 <= state["step"] < len(flow.sections)
        else 0
    )
    state["step"] = step
    posted = section_answers(flow.sections[step].questions.all(), request.POST)
    answers = {**state["a"], **posted}
    answers = {code: value for code, value in answers.items() if value is not None}
    state["a"] = flow.without_hidden(answers)
    complete = action in ("next", REVIEW)
    errors = _step_errors(flow, state["a"], step, complete=complete)
    if errors:
        return _section_page(request, flow, state, errors=errors, status=400)
    try:
        _save_draft(request, flow, state)
    except responding.AnswersInvalid as invalid:
        return _section_page(request, flow, state, errors=invalid.by_question, status=400)
    except ValidationError as refused:  # closed meanwhile, or sent from another device
        for message in refused.messages:
            messages.warning(request, message)
        return redirect(flow.survey.get_absolute_url())
    steps = flow.visible_steps(state["a"])
    if action == "save":
        messages.success(
            request,
            _("Your answers are saved. You can continue later, on any device, once signed in."),
        )
        return _section_page(request, flow, state)
    later = [s for s in steps if s > step]
    earlier = [s for s in steps if s < step]
    if action == "back":
        state["step"] = earlier[-1] if earlier else step
        return _section_page(request, flow, state)
    if later:
        state["step"] = later[0]
        return _section_page(request, flow, state)
    return _review_page(request, flow, state)


def _from_review(
    request: HttpRequest, flow: Flow, state: dict[str, Any], action: str
) -> HttpResponse:
    if action.startswith("goto-") and action[5:].isdigit():
        state["step"] = int(action[5:])
        return _section_page(request, flow, state)
    if action != "submit":
        return _review_page(request, flow, state)
    survey = flow.survey
    invitation_form = None
    code = None
    if survey.invitation_required and not state.get("change"):
        invitation_form = InvitationForm(request.POST)
        if not invitation_form.is_valid():
            return _review_page(request, flow, state, invitation_form=invitation_form, status=400)
        code = invitation_form.cleaned_data["invitation_code"]
    try:
        responding.submit(
            survey,
            state["a"],
            actor=request.user,
            form_token=state.get("t"),
            invitation_code=code,
            client=request,
        )
    except responding.AnswersInvalid as invalid:
        state["step"] = flow.step_of(next(iter(invalid.by_question)))
        return _section_page(request, flow, state, errors=invalid.by_question, status=400)
    except responding.NotEligible as refused:
        return _refused_page(request, survey, refused.codes)
    except responding.TooManyResponses as refused:
        return _review_page(request, flow, state, problems=[str(refused)], status=429)
    except ValidationError as refused:
        if not hasattr(refused, "error_dict"):
            refused = ValidationError({"survey": refused.error_list})
        if invitation_form is not None and "invitation_code" in refused.error_dict:
            for message in refused.error_dict["invitation_code"]:
                invitation_form.add_error("invitation_code", message)
        problems = [
            str(message)
            for field, errors in refused.error_dict.items()
            if field != "invitation_code"
            for error in errors
            for message in error.messages
        ]
        if "form_token" in refused.error_dict:
            # A fresh form for a fresh try (the spent token stays spent).
            state["t"] = responding.form_token_or_none(survey, request.user)
        return _review_page(
            request, flow, state, invitation_form=invitation_form, problems=problems, status=400
        )
    return redirect("frontend:survey_thanks", slug=survey.slug)


@require_GET
def survey_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    survey = selectors.visible_survey(request.user, slug, structure=False)
    own = selectors.own_response(survey, request.user)
    context = {
        **_base(request, survey),
        "crumbs": _crumbs(survey, (_("Thank you"), None)),
        "may_change": responding.may_change(survey, own),
        "results_url": reverse("frontend:survey_results", args=[survey.slug])
        if permissions.results_published(survey)
        else None,
        "more_url": reverse("frontend:organisation_surveys", args=[survey.organisation.slug]),
    }
    return _render(request, "surveys/answer/thanks.html", context)


# --- staff: invitation codes ------------------------------------------------------------------


def _find_survey(slug: str) -> tuple[Survey, Organisation]:
    survey = get_object_or_404(Survey.objects.select_related("organisation"), slug=slug)
    return survey, survey.organisation


@staff_page(permissions.can_build, _find_survey)
def invitations(request: HttpRequest, survey: Survey) -> HttpResponse:
    """Generate codes; they are shown once, on the answer to the POST, and never again."""
    form = GenerateInvitationsForm(request.POST or None)
    codes: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                codes = responding.generate_invitations(
                    survey, form.cleaned_data["count"], actor=request.user
                )
            except ValidationError as refused:
                form.add_error("count", refused.messages[0])
        if not codes:
            status = 400
    context = {
        "organisation": survey.organisation,
        "survey": survey,
        "title": localised(survey, "title"),
        "form": form,
        "codes": codes,
        "answer_url": request.build_absolute_uri(survey.get_absolute_url()),
        "crumbs": staff_crumbs(survey.organisation, (_("Invitation codes"), None)),
    }
    return _render(
        request,
        "surveys/answer/invitation_codes.html" if codes else "surveys/answer/invitations.html",
        context,
        status,
    )
