"""Submitted responses written straight as counted rows (the format of docs: one row per
chosen option, "other" as text, numbers, ranking positions, matrix values, text, dates),
for tests of what is read from them; the survey's answer counts are then rebuilt from them
(``results.recount``), as after a bulk load."""

from __future__ import annotations

import datetime
from typing import Any

from surveys.models import Answer, Question, QuestionKind, Response, ResponseStatus, Survey
from surveys.services.results import recount


def respond(
    survey: Survey,
    answers: dict[str, Any],
    *,
    district: str = "",
    age_band: str = "",
    target_groups: list[str] | None = None,
    day: datetime.date | None = None,
    respondent=None,
) -> Response:
    day = day or datetime.date(2026, 5, 1)
    response = Response.objects.create(
        survey=survey,
        respondent=respondent,
        status=ResponseStatus.SUBMITTED,
        answers=answers,
        submitted_on=day,
        updated_on=day,
        district=district,
        age_band=age_band,
        target_groups=target_groups or [],
    )
    questions = {q.code: q for q in Question.objects.filter(survey=survey)}
    for code, value in answers.items():
        question = questions[code]
        options = {o.code: o for o in question.options.all()}
        for fields in _rows(question, value, options):
            Answer.objects.create(response=response, survey=survey, question=question, **fields)
    recount(survey)
    return response


def _rows(question: Question, value: Any, options: dict) -> list[dict[str, Any]]:
    kind = question.kind
    if value is None:
        return []
    if kind in (
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTIPLE_CHOICE,
        QuestionKind.DISTRICT,
        QuestionKind.AGE_BAND,
        QuestionKind.TARGET_GROUP,
    ):
        picks = value if isinstance(value, list) else [value]
        return [
            {"text": pick["other"]} if isinstance(pick, dict) else {"option": options[pick]}
            for pick in picks
        ]
    if kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        return [{"number": value}]
    if kind == QuestionKind.RANKING:
        return [{"option": options[code], "number": p} for p, code in enumerate(value, 1)]
    if kind == QuestionKind.MATRIX:
        return [{"option": options[code], "number": v} for code, v in value.items()]
    if kind == QuestionKind.DATE:
        return [{"date": datetime.date.fromisoformat(value)}]
    return [{"text": value}]
