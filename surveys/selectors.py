"""Reads of surveys for the people who answer them: which surveys someone may see, one
survey with its structure (sections, questions, options in three queries), that structure as
the plain specs ``surveys.answers`` checks against, and a person's own response; and the
surveys linked to a budget round (known only by its id, so budgeting never imports surveys:
the round pages compose the two), with what their evaluation surveys say of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from engagement.content.languages import localised
from engagement.people import permissions
from engagement.statistics import THRESHOLD
from surveys import templates
from surveys.answers import QuestionSpec
from surveys.models import (
    Answer,
    Option,
    Question,
    Response,
    ResponseStatus,
    Section,
    Survey,
    SurveyPurpose,
    SurveyState,
)
from surveys.permissions import current_state, results_published


def surveys_visible_to(actor: Any, organisation_slug: str | None = None) -> QuerySet[Survey]:
    """Surveys past draft, and drafts of organisations where ``actor`` is staff."""
    surveys = Survey.objects.select_related("organisation").order_by("-opens_at", "-created_at")
    if organisation_slug:
        surveys = surveys.filter(organisation__slug=organisation_slug)
    staff_of = permissions.staff_organisation_ids(actor)
    if staff_of is None:
        return surveys
    return surveys.filter(~Q(state=SurveyState.DRAFT) | Q(organisation_id__in=staff_of))


def with_structure(surveys: QuerySet[Survey]) -> QuerySet[Survey]:
    """Sections, their questions and the questions' options, in order, prefetched."""
    return surveys.prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.order_by("position", "id").prefetch_related(
                Prefetch(
                    "questions",
                    queryset=Question.objects.order_by("position", "id").prefetch_related(
                        Prefetch("options", queryset=Option.objects.order_by("position", "id"))
                    ),
                )
            ),
        )
    )


def visible_survey(actor: Any, slug: str, *, structure: bool = True) -> Survey:
    """The survey called ``slug`` if ``actor`` may see it (with its structure); else 404."""
    surveys = surveys_visible_to(actor).filter(slug=slug)
    survey = (with_structure(surveys) if structure else surveys).first()
    if survey is None:
        raise Http404
    return survey


def survey_by_slug(slug: str) -> Survey:
    """Any survey with its structure, whoever asks (staff pages check the role next)."""
    survey = with_structure(Survey.objects.select_related("organisation")).filter(slug=slug)
    found = survey.first()
    if found is None:
        raise Http404
    return found


def sections_of(survey: Survey) -> list[Section]:
    return list(survey.sections.all())


def questions_of(survey: Survey) -> list[Question]:
    """Every question in survey order (section position, then question position)."""
    return [question for section in survey.sections.all() for question in section.questions.all()]


def question_specs(survey: Survey) -> list[QuestionSpec]:
    """The survey's questions as ``surveys.answers`` checks them, in order."""
    return [
        QuestionSpec(
            code=question.code,
            kind=question.kind,
            required=question.required,
            settings=question.settings or {},
            condition=question.condition or None,
            options=tuple(option.code for option in question.options.all()),
            section=index,
        )
        for index, section in enumerate(survey.sections.all())
        for question in section.questions.all()
    ]


# Settings that hold text staff translate (Question.translations[lang][name]).
TRANSLATED_SETTINGS = ("low_label", "high_label", "unit")


class _SettingText:
    def __init__(self, question: Question, name: str) -> None:
        self.translations = question.translations
        setattr(self, name, str((question.settings or {}).get(name) or ""))


def localised_settings(question: Question, language: str | None = None) -> dict[str, Any]:
    """The question's settings with its end labels and unit in the reader's language."""
    values = dict(question.settings or {})
    for name in TRANSLATED_SETTINGS:
        text = localised(_SettingText(question, name), name, language)
        if text:
            values[name] = text
    return values


def own_response(survey: Survey, user: Any) -> Response | None:
    """The signed-in person's draft or response to ``survey``, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Response.objects.filter(survey=survey, respondent=user).first()


# --- the participation cycle: a round's surveys ---------------------------------------------


def surveys_for_round(
    round_id: int, purpose: str | None = None, *, include_drafts: bool = False
) -> QuerySet[Survey]:
    """The surveys linked to the round (of ``purpose`` if given), oldest first.

    Drafts are left out unless ``include_drafts`` (staff pages list them to finish them).
    """
    surveys = Survey.objects.filter(budget_round_id=round_id).select_related("organisation")
    if purpose is not None:
        surveys = surveys.filter(purpose=purpose)
    if not include_drafts:
        surveys = surveys.exclude(state=SurveyState.DRAFT)
    return surveys.order_by("created_at", "pk")


@dataclass(frozen=True)
class RoundSurvey:
    """A round's survey as a resident's page shows it: the state in force, and whether its
    results may be read by everyone."""

    survey: Survey
    state: str
    results_published: bool

    @property
    def is_open(self) -> bool:
        return self.state == SurveyState.OPEN


# Which of several linked surveys a resident's page shows: one to answer now, else one about
# to open, else the latest closed (its results).
_PREFERENCE = {SurveyState.OPEN: 0, SurveyState.SCHEDULED: 1, SurveyState.CLOSED: 2}


def round_survey(round_id: int, purpose: str, now: datetime | None = None) -> RoundSurvey | None:
    """The one survey of ``purpose`` the round's public page shows, or ``None`` (one query)."""
    now = now or timezone.now()
    best: tuple[tuple[int, float], RoundSurvey] | None = None
    for survey in surveys_for_round(round_id, purpose):
        state = current_state(survey, now)
        if state not in _PREFERENCE:
            continue
        # Among closed ones the latest; among open or scheduled ones the first to close/open.
        moment = (survey.closes_at or survey.opens_at or survey.created_at).timestamp()
        rank = (_PREFERENCE[state], -moment if state == SurveyState.CLOSED else moment)
        if best is None or rank < best[0]:
            best = (rank, RoundSurvey(survey, state, results_published(survey, now)))
    return best[1] if best is not None else None


def open_surveys_count(organisation_id: int, now: datetime | None = None) -> int:
    """The organisation's surveys open now (by the state in force, so a survey whose closing
    time passed is not counted before the scheduler has run). One query."""
    now = now or timezone.now()
    not_closed_yet = Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    return (
        Survey.objects.filter(organisation_id=organisation_id)
        .filter(
            Q(state=SurveyState.OPEN) | Q(state=SurveyState.SCHEDULED, opens_at__lte=now),
            not_closed_yet,
        )
        .count()
    )


# --- comparing rounds: what the evaluation surveys say ---------------------------------------

# The codes of the evaluation template's scale questions (surveys.templates).
SCORE_CODES = (templates.SATISFACTION, templates.FAIRNESS)


def evaluation_scores(round_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``{round_id: {"satisfaction": mean|None, "fairness": mean|None, "responses": n}}``
    from the submitted responses of each round's evaluation survey(s), averaged in SQL.

    ``responses`` counts submitted responses. A mean is ``None`` when fewer than
    :data:`engagement.statistics.THRESHOLD` people answered that question: the mean of two
    answers gives both away to anyone who knows one. Rounds without an evaluation survey
    get no entry.
    """
    ids = list(round_ids)
    if not ids:
        return {}
    evaluation = {
        "survey__budget_round_id__in": ids,
        "survey__purpose": SurveyPurpose.EVALUATION,
    }
    counts = (
        Response.objects.filter(status=ResponseStatus.SUBMITTED, **evaluation)
        .values("survey__budget_round_id")
        .annotate(n=Count("id"))
        .values_list("survey__budget_round_id", "n")
    )
    scores: dict[int, dict[str, Any]] = {
        round_id: {**dict.fromkeys(SCORE_CODES), "responses": n} for round_id, n in counts
    }
    means = (
        Answer.objects.filter(
            question__code__in=SCORE_CODES,
            number__isnull=False,
            response__status=ResponseStatus.SUBMITTED,
            **evaluation,
        )
        .values("survey__budget_round_id", "question__code")
        .annotate(mean=Avg("number"), answers=Count("response_id", distinct=True))
        .values_list("survey__budget_round_id", "question__code", "mean", "answers")
    )
    for round_id, code, mean, answers in means:
        if round_id in scores and answers >= THRESHOLD:
            scores[round_id][code] = mean
    return scores
