"""A survey's submitted responses as files for the organisation's staff, and its codebook.

The CSV has one row per submitted response and one column per question code (a matrix: one
per row, ``<code>_<row>``; an "other" answer's text in ``<code>_other``). Choices are option
codes joined by ";", a ranking its codes best first. The JSON holds the same answers as
given (the answer values of the surveys contract), and the codebook says what every code
means.

Nothing in these files names a person: no name, e-mail or account column, ever. Responses of
a survey open to anonymous answers carry no id either and come in a random order (not the
order they were given in), and dates are days only. Free text a moderator hid from the public
results is still in the staff files.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from engagement.http.spreadsheets import csv_text
from surveys.models import Question, QuestionKind, Response, ResponseStatus, Survey
from surveys.permissions import can_read_all_results

LIST_SEPARATOR = ";"
MULTIPLE_KINDS = (QuestionKind.MULTIPLE_CHOICE, QuestionKind.TARGET_GROUP)
SINGLE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.DISTRICT, QuestionKind.AGE_BAND)
CHOICE_KINDS = (*SINGLE_KINDS, *MULTIPLE_KINDS)
CODEBOOK_COLUMNS = (
    "code",
    "section",
    "kind",
    "text",
    "required",
    "condition",
    "columns",
    "option_code",
    "option_text",
)


def require_export_right(actor: Any, survey: Survey) -> None:
    """Only the organisation's staff export answers (``actor=None`` is refused too)."""
    if actor is None or not can_read_all_results(actor, survey.organisation_id):
        raise PermissionDenied(_("Only staff of the organisation may export its survey answers."))


def is_anonymous(survey: Survey) -> bool:
    """Files of a survey that takes anonymous answers treat every response as anonymous: one
    id or a submission order in the file would tell the signed-in ones from the others."""
    return survey.anonymous_allowed or (
        Response.objects.filter(survey=survey, respondent__isnull=True).exists()
    )


@dataclass(frozen=True)
class _Column:
    question: Question
    name: str
    row: str | None = None  # a matrix row's option code
    other: bool = False  # the "other" text of a choice


def _questions(survey: Survey) -> list[Question]:
    return list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    )


def _has_other(question: Question) -> bool:
    return question.kind in CHOICE_KINDS and bool((question.settings or {}).get("allow_other"))


def _columns_of(question: Question) -> list[_Column]:
    if question.kind == QuestionKind.MATRIX:
        return [
            _Column(question, f"{question.code}_{row.code}", row=row.code)
            for row in question.options.all()
        ]
    columns = [_Column(question, question.code)]
    if _has_other(question):
        columns.append(_Column(question, f"{question.code}_other", other=True))
    return columns


def _columns(questions: list[Question]) -> list[_Column]:
    return [column for question in questions for column in _columns_of(question)]


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _joined(value: Any) -> Any:
    picks = value if isinstance(value, list) else [value]
    return LIST_SEPARATOR.join(p for p in picks if isinstance(p, str)) or None


def _other(value: Any) -> Any:
    picks = value if isinstance(value, list) else [value]
    texts = [p["other"] for p in picks if isinstance(p, dict) and "other" in p]
    return texts[0] if texts else None


def _ranked(value: Any) -> Any:
    return LIST_SEPARATOR.join(str(code) for code in value)


def _as_is(value: Any) -> Any:
    return value


def _converter(column: _Column) -> Any:
    """How one CSV cell is made of an answer value as given (the surveys contract's shapes);
    chosen once per column, as files run to tens of thousands of rows."""
    kind = column.question.kind
    if column.row is not None:
        row = column.row
        return lambda value: _number(value.get(row)) if isinstance(value, dict) else None
    if kind in CHOICE_KINDS:
        return _other if column.other else _joined
    if kind == QuestionKind.RANKING:
        return _ranked
    if kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        return _number
    return _as_is


def _submitted(survey: Survey, anonymous: bool) -> list[tuple[str, date | None, dict]]:
    rows = list(
        Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED)
        .order_by("submitted_on", "id")
        .values_list("id", "submitted_on", "answers")
    )
    if anonymous:
        # A fresh random order every time: the order of the rows says nothing.
        secrets.SystemRandom().shuffle(rows)
    return [(str(pk), day, answers or {}) for pk, day, answers in rows]


def export_csv(survey: Survey, *, actor: Any) -> str:
    """One row per submitted response; see the module's description of the columns."""
    require_export_right(actor, survey)
    anonymous = is_anonymous(survey)
    columns = _columns(_questions(survey))
    header = [*([] if anonymous else ["response"]), "submitted_on", *(c.name for c in columns)]

    cells_of = [(c.question.code, _converter(c)) for c in columns]

    def rows() -> Iterator[list[Any]]:
        for pk, day, answers in _submitted(survey, anonymous):
            cells = [
                None if (value := answers.get(code)) is None else convert(value)
                for code, convert in cells_of
            ]
            yield [*([] if anonymous else [pk]), day.isoformat() if day else None, *cells]

    return csv_text(header, rows())


def export_json(survey: Survey, *, actor: Any) -> dict[str, Any]:
    """The same responses, each answer in the shape it was given (question code → value)."""
    require_export_right(actor, survey)
    anonymous = is_anonymous(survey)
    codes = [q.code for q in _questions(survey)]
    responses = []
    for pk, day, answers in _submitted(survey, anonymous):
        entry: dict[str, Any] = {} if anonymous else {"response": pk}
        entry["submitted_on"] = day.isoformat() if day else None
        entry["answers"] = {code: answers[code] for code in codes if answers.get(code) is not None}
        responses.append(entry)
    return {
        "survey": survey.slug,
        "title": survey.title,
        "organisation": survey.organisation.slug,
        "anonymous": anonymous,
        "questions": codes,
        "responses": responses,
    }


def codebook_json(survey: Survey, *, actor: Any) -> dict[str, Any]:
    """What every code means: each question in order with its section, kind, text, whether
    it is required, when it is shown, the CSV columns it fills and its options."""
    require_export_right(actor, survey)
    questions = []
    for question in _questions(survey):
        questions.append(
            {
                "code": question.code,
                "section": question.section.title or str(question.section.position + 1),
                "kind": question.kind,
                "text": question.text,
                "required": question.required,
                "condition": question.condition,
                "settings": question.settings or {},
                "columns": [c.name for c in _columns_of(question)],
                "options": [{"code": o.code, "text": o.text} for o in question.options.all()],
            }
        )
    return {
        "survey": survey.slug,
        "title": survey.title,
        "list_separator": LIST_SEPARATOR,
        "questions": questions,
    }


CONDITION_KEYS = ("question", "options", "min", "max")


def _condition_text(condition: dict[str, Any] | None) -> str | None:
    """A condition as JSON, keys in the order people read them (the database may keep
    them in any order)."""
    if not condition:
        return None
    ordered = {key: condition[key] for key in CONDITION_KEYS if key in condition}
    ordered.update({k: v for k, v in sorted(condition.items()) if k not in ordered})
    return json.dumps(ordered, ensure_ascii=False)


def codebook_csv(survey: Survey, *, actor: Any) -> str:
    """The codebook as a table: a row per question, then a row per option of it."""
    book = codebook_json(survey, actor=actor)
    rows: list[list[Any]] = []
    for q in book["questions"]:
        condition = _condition_text(q["condition"])
        rows.append(
            [
                q["code"],
                q["section"],
                q["kind"],
                q["text"],
                q["required"],
                condition,
                " ".join(q["columns"]),
                None,
                None,
            ]
        )
        rows.extend(
            [q["code"], None, None, None, None, None, None, o["code"], o["text"]]
            for o in q["options"]
        )
    return csv_text(CODEBOOK_COLUMNS, rows)
