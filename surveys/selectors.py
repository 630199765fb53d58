"""Reads of surveys for the people who answer them: which surveys someone may see, one
survey with its structure (sections, questions, options in three queries), that structure as
the plain specs ``surveys.answers`` checks against, and a person's own response."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from engagement.content.languages import localised
from engagement.people import permissions
from surveys.answers import QuestionSpec
from surveys.models import Option, Question, Response, Section, Survey, SurveyState


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
