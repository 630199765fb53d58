"""A survey's results: the public page and the staff page.

Charts are drawn on the server as plain bars (no script, no sideways scrolling on a phone),
each beside a table with the same figures; a live region refreshes them while the page is
open (``survey:<slug>:results``). Without JavaScript the page is complete as served.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from engagement.people.models import Organisation
from engagement.statistics import THRESHOLD
from frontend.staff_access import signed_in, staff_crumbs, staff_page
from surveys import permissions
from surveys.models import QuestionKind, ResultsVisibility, Survey, SurveyState
from surveys.services import moderation, results

CROSS_BY = [
    ("district", _("District")),
    ("age_band", _("Age band")),
    ("target_group", _("Target group")),
]
CROSS_KINDS = results.CHOICE_KINDS
TEXT_KINDS = results.TEXT_KINDS


def _find(slug: str) -> tuple[Survey, Organisation]:
    survey = get_object_or_404(Survey.objects.select_related("organisation"), slug=slug)
    return survey, survey.organisation


def _bar(label: str, count: int, peak: int, whole: int | None) -> dict[str, Any]:
    return {
        "label": label,
        "count": count,
        "width": round(100 * count / peak, 1) if peak else 0,
        "percent": None if not whole else round(100 * count / whole, 1),
    }


def _charts(question: dict[str, Any]) -> dict[str, Any]:
    """Bars for a question's figures, by kind (the template draws them beside its table)."""
    kind = question["kind"]
    if kind in CROSS_KINDS:
        counts = [o["count"] for o in question["options"]] + [question["other"]["count"]]
        peak = max(counts, default=0)
        whole = question["respondents"]
        bars = [_bar(o["text"], o["count"], peak, whole) for o in question["options"]]
        if question["other"]["count"]:
            bars.append(_bar(_("Other"), question["other"]["count"], peak, whole))
        return {"bars": bars}
    if kind == QuestionKind.SCALE:
        peak = max((d["count"] for d in question["distribution"]), default=0)
        return {
            "bars": [
                _bar(str(d["value"]), d["count"], peak, question["n"])
                for d in question["distribution"]
            ]
        }
    if kind == QuestionKind.RANKING:
        peak = max((o["borda"] for o in question["options"]), default=0)
        ordered = sorted(question["options"], key=lambda o: (-o["borda"], o["code"]))
        return {"bars": [_bar(o["text"], o["borda"], peak, None) for o in ordered]}
    if kind == QuestionKind.DATE:
        peak = max((p["count"] for p in question["periods"]), default=0)
        return {
            "bars": [_bar(p["label"], p["count"], peak, question["n"]) for p in question["periods"]]
        }
    return {}


def _period_label(unit: str, period: str) -> str:
    # A decade is given by its first year: shown as its span, which needs no translation.
    return f"{period}\N{EN DASH}{int(period) + 9}" if unit == "decade" else period


def _with_labels(question: dict[str, Any]) -> dict[str, Any]:
    if question["kind"] != QuestionKind.DATE:
        return question
    periods = [
        dict(p, label=_period_label(question["unit"], p["period"])) for p in question["periods"]
    ]
    return dict(question, periods=periods)


def _context(request: HttpRequest, survey: Survey, *, staff: bool) -> dict[str, Any]:
    data = results.survey_results(survey, include_hidden=staff, language=get_language())
    questions = [dict(q, chart=_charts(q)) for q in map(_with_labels, data["questions"])]
    choice_questions = [q for q in questions if q["kind"] in CROSS_KINDS]
    text_questions = [q for q in questions if q["kind"] in TEXT_KINDS]
    context: dict[str, Any] = {
        "survey": survey,
        "organisation": survey.organisation,
        "results": data,
        "questions": questions,
        "threshold": THRESHOLD,
        "staff": staff,
        "cross_by": CROSS_BY,
        "choice_questions": choice_questions,
        "text_questions": text_questions,
    }
    # The cross-tabulation and free text asked for (GET forms: no script needed). A
    # cross-tabulation reads one question's answers joined to their responses: only on
    # request, never by default.
    codes = {q["code"] for q in choice_questions}
    question = request.GET.get("question", "")
    by = request.GET.get("by", "")
    cross_errors = {}
    if (question or by) and question not in codes:
        cross_errors["question"] = _("Choose one of the questions listed.")
    if (question or by) and by not in dict(CROSS_BY):
        cross_errors["by"] = _("Choose district, age band or target group.")
    context["cross_errors"] = cross_errors
    if question and by and not cross_errors:
        cross = results.cross_tab(survey, question, by, include_hidden=staff)
        context["cross"] = cross
        # One small table per group: two columns fit any phone, however many groups.
        context["cross_columns"] = [
            {
                "label": column["label"],
                "total": column["total"],
                "rows": [
                    {"label": row["label"], "cell": row["cells"][index]} for row in cross["rows"]
                ],
            }
            for index, column in enumerate(cross["columns"])
        ]
        context["cross_question"] = next(q for q in choice_questions if q["code"] == question)
    context["cross_selected"] = {"question": question, "by": by}
    text_codes = {q["code"] for q in text_questions}
    text_code = request.GET.get("text") or (text_questions[0]["code"] if text_codes else "")
    if text_code in text_codes:
        try:
            page = int(request.GET.get("page") or 1)
        except ValueError:
            page = 1
        context["texts"] = results.text_answers(
            survey,
            text_code,
            search=request.GET.get("search", "")[:200],
            include_hidden=staff,
            page=page,
        )
    context["text_selected"] = {"question": text_code, "search": request.GET.get("search", "")}
    return context


def _may_watch_live(request: HttpRequest, survey: Survey, staff: bool) -> bool:
    if staff:
        return True
    state = permissions.current_state(survey)
    return survey.results_visibility == ResultsVisibility.LIVE and state in (
        SurveyState.OPEN,
        SurveyState.CLOSED,
    )


def survey_results_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Public results: once the survey publishes them (live, or when it closes)."""
    survey, _organisation = _find(slug)
    if not permissions.is_visible(request.user, survey):
        raise Http404
    staff = permissions.can_read_all_results(request.user, survey.organisation_id)
    if not permissions.results_published(survey) and not staff:
        return render(
            request,
            "surveys/results/pending.html",
            {"survey": survey, "organisation": survey.organisation},
        )
    # The public page shows what the public sees, to staff too (the staff page has more).
    context = _context(request, survey, staff=False)
    context["live"] = _may_watch_live(request, survey, staff)
    context["page_url"] = reverse("frontend:survey_results", args=[survey.slug])
    return render(request, "surveys/results/results.html", context)


@staff_page(permissions.can_read_all_results, _find)
def staff_survey_results(request: HttpRequest, survey: Survey) -> HttpResponse:
    """Every result at any time, hidden free text marked, with hide and show buttons for
    the organisation's moderators."""
    context = _context(request, survey, staff=True)
    context["live"] = True
    context["moderator"] = permissions.can_moderate_answers(request.user, survey.organisation_id)
    context["page_url"] = reverse("frontend:staff_survey_results", args=[survey.slug])
    context["crumbs"] = staff_crumbs(
        survey.organisation, (survey.title, None), (_("Results"), None)
    )
    return render(request, "surveys/results/results.html", context)


@require_POST
def staff_answer_visibility(
    request: HttpRequest, slug: str, answer_id: int, action: str
) -> HttpResponse:
    """Hide or show one free-text answer (moderators), then back to the list."""
    redirect_response = signed_in(request)
    if redirect_response is not None:
        return redirect_response
    survey, _organisation = _find(slug)
    try:
        moderation.set_answer_hidden(survey, answer_id, hidden=action == "hide", actor=request.user)
    except ValidationError:
        raise Http404 from None
    except PermissionDenied:
        raise
    back = request.POST.get("next", "")
    target = reverse("frontend:staff_survey_results", args=[survey.slug])
    if back.startswith(target):
        target = back
    return redirect(target + ("" if "#" in target else "#free-text"))
