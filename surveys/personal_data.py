"""What surveys hold about a person, for the personal-data export and account deletion.

Registered with the kernel (``engagement.personal_data``) when the app loads. Only signed-in
responses are linked to a person; anonymous ones hold nothing that leads back to anyone.

On deletion, drafts go. Submitted responses stay counted, as an anonymous response is: the
link to the person goes, and so do their free-text answers (text questions and the words
written for "other"), which may say who wrote them. Chosen options, scales, rankings,
numbers, dates and the respondent's groups (district, age band, target groups) stay.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from engagement import personal_data
from engagement.personal_data import iso
from surveys.models import Answer, Question, QuestionKind, Response, ResponseStatus

TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


def _readable(question: Question, value: Any) -> Any:
    """An answer as the person gave it, with option texts for option codes."""
    options = {o.code: o.text for o in question.options.all()}

    def word(item: Any) -> Any:
        if isinstance(item, dict) and "other" in item:
            return {"other": item["other"]}
        return options.get(item, item) if isinstance(item, str) else item

    if question.kind == QuestionKind.MATRIX and isinstance(value, dict):
        return {options.get(row, row): number for row, number in value.items()}
    if isinstance(value, list):
        return [word(item) for item in value]
    if question.kind in TEXT_KINDS:
        return value
    return word(value)


def _responses(user: Any) -> list[dict[str, Any]]:
    questions = Prefetch(
        "survey__questions",
        queryset=Question.objects.order_by("section__position", "position", "id").prefetch_related(
            "options"
        ),
    )
    exported = []
    for response in (
        Response.objects.filter(respondent=user)
        .select_related("survey")
        .prefetch_related(questions)
        .order_by("updated_on", "pk")
    ):
        answers = response.answers or {}
        exported.append(
            {
                "survey": response.survey.slug,
                "survey_title": response.survey.title,
                "status": response.status,
                "submitted_on": iso(response.submitted_on),
                "updated_on": iso(response.updated_on),
                "answers": [
                    {
                        "question": q.code,
                        "question_text": q.text,
                        "answer": _readable(q, answers[q.code]),
                        "value": answers[q.code],
                    }
                    for q in response.survey.questions.all()
                    if answers.get(q.code) is not None
                ],
            }
        )
    return exported


def _without_free_text(answers: dict[str, Any], text_codes: set[str]) -> dict[str, Any]:
    """The answers with text answers left out and the words for "other" emptied."""

    def scrub(item: Any) -> Any:
        return {"other": ""} if isinstance(item, dict) and "other" in item else item

    kept = {}
    for code, value in answers.items():
        if code in text_codes:
            continue
        kept[code] = [scrub(v) for v in value] if isinstance(value, list) else scrub(value)
    return kept


def _unlink_responses(user: Any) -> None:
    Response.objects.filter(respondent=user, status=ResponseStatus.DRAFT).delete()
    submitted = list(
        Response.objects.filter(respondent=user, status=ResponseStatus.SUBMITTED).only(
            "pk", "survey_id", "answers"
        )
    )
    if not submitted:
        return
    ids = [r.pk for r in submitted]
    text_codes: dict[int, set[str]] = {}
    for survey_id, code in Question.objects.filter(
        survey_id__in={r.survey_id for r in submitted}, kind__in=TEXT_KINDS
    ).values_list("survey_id", "code"):
        text_codes.setdefault(survey_id, set()).add(code)
    # Counted rows: text answers go; "other" stays chosen, without its words.
    Answer.objects.filter(response_id__in=ids, question__kind__in=TEXT_KINDS).delete()
    Answer.objects.filter(response_id__in=ids, option__isnull=True).exclude(text="").update(text="")
    for response in submitted:
        response.answers = _without_free_text(
            response.answers or {}, text_codes.get(response.survey_id, set())
        )
        response.respondent = None
    Response.objects.bulk_update(submitted, ["answers", "respondent"])


def register() -> None:
    personal_data.register_section("survey_responses", _responses, position=160)
    personal_data.register_before_deletion(_unlink_responses)
