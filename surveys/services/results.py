"""A survey's results, counted in SQL: per question, and cross-tabulated by district, age
band and target group (people groups: suppressed by ``engagement.statistics``).

Per question, results read the survey's answer counts (``AnswerCount``, kept by the
response's own transaction, see ``surveys.services.counts``): one indexed query, whatever the
number of responses, plus one count of the free-text answers. Cross-tabulations join one
question's counted rows (``Answer``) to their responses and group them in SQL.

Rankings: with ``m`` options, the option ranked at position ``p`` (1 = first) gets ``m - p``
Borda points. A partial ranking (``rank_count`` below ``m``) gives the options it leaves out
no points, and they do not enter their average rank: the average rank of an option is over
the respondents who ranked it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from engagement.content.languages import localised
from engagement.people.models import TargetGroup
from engagement.statistics import (
    THRESHOLD,
    UNKNOWN,
    age_groups,
    cell,
    organisation_districts,
    suppress_table,
)
from surveys.models import Answer, Question, QuestionKind, Response, ResponseStatus, Survey
from surveys.services import counts

CHOICE_KINDS = (
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.MULTIPLE_CHOICE,
    QuestionKind.DISTRICT,
    QuestionKind.AGE_BAND,
    QuestionKind.TARGET_GROUP,
)
MULTIPLE_KINDS = (QuestionKind.MULTIPLE_CHOICE, QuestionKind.TARGET_GROUP)
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
VALUE_KINDS = (QuestionKind.SCALE, QuestionKind.MATRIX, QuestionKind.RANKING)
# Kinds whose response may have several counted rows (choices ticked, options ranked, rows).
SEVERAL_ROWS_KINDS = (*MULTIPLE_KINDS, QuestionKind.RANKING, QuestionKind.MATRIX)
CROSS_BY = ("district", "age_band", "target_group")
OTHER = "other"


def recount(survey: Survey) -> int:
    """Rebuild ``survey``'s answer counts from its counted rows (after a bulk load, or by
    ``manage.py survey_recount``); returns the number of counts."""
    return counts.recount(survey)


def submitted_count(survey: Survey) -> int:
    return Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED).count()


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median_of_counts(distribution: dict[float, int]) -> float | None:
    """The median of values given as value -> count (the mean of the two middle ones)."""
    n = sum(distribution.values())
    if not n:
        return None
    middle = [(n - 1) // 2, n // 2]
    found: list[float] = []
    seen = 0
    for value in sorted(distribution):
        count = distribution[value]
        for m in middle:
            if seen <= m < seen + count:
                found.append(value)
        seen += count
    return sum(found) / len(found)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _label(obj: Any, field: str, language: str | None) -> str:
    return localised(obj, field, language) if language else getattr(obj, field)


class _Counts:
    """A survey's answer counts (``counts.counts_of``) read into what each kind needs."""

    def __init__(self, stored: dict[tuple[int, str], int]) -> None:
        self.answered: dict[int, int] = {}
        self.options: dict[tuple[int, int | None], int] = {}  # option None: "other"
        # (question, option or None) -> value -> count: scale and number values, ranking
        # positions, matrix values.
        self.values: dict[tuple[int, int | None], dict[float, int]] = defaultdict(dict)
        self.months: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for (qid, key), n in sorted(stored.items()):
            kind, _sep, rest = key.partition(":")
            if key == counts.ANSWERED:
                self.answered[qid] = n
            elif key == counts.OTHER:
                self.options[(qid, None)] = n
            elif kind == "o":
                self.options[(qid, int(rest))] = n
            elif kind == "v":
                self.values[(qid, None)][float(rest)] = n
            elif kind in ("r", "m"):
                option, _sep, value = rest.partition(":")
                self.values[(qid, int(option))][float(value)] = n
            elif kind == "d":
                self.months[qid].append({"month": rest, "count": n})


def _text_counts(survey: Survey, text_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Free-text answers per text question of ``survey``: (all, hidden), counted from the
    answers (index (question, …, hidden) alone), as moderation and account deletion change
    them."""
    if not text_ids:
        return {}
    return {
        qid: (n, hidden)
        for qid, n, hidden in Answer.objects.filter(question_id__in=text_ids)
        .values("question_id")
        .annotate(n=Count("*"), hidden=Count("hidden", filter=Q(hidden=True)))
        .values_list("question_id", "n", "hidden")
        .order_by()
    }


def survey_results(
    survey: Survey, *, include_hidden: bool, language: str | None = None
) -> dict[str, Any]:
    """Results of every question of ``survey`` as plain data.

    Choice and profile kinds: count and share per option, ``other`` answers counted apart
    (multiple choice: shares of the respondents to the question, so they may add up past
    1). Scale: distribution, mean, median, ``n``. Number: mean, median, ``n``. Ranking:
    average rank and Borda points per option. Matrix: per row, counts per scale value and
    the mean. Text: the number of answers (hidden ones only for staff, as
    ``hidden``). Date: answers per period (:func:`date_periods`: month, year or decade,
    by how far the answers spread, ``unit`` saying which). Answers are not groups of
    people, so nothing is suppressed here; cross-tabulations are (:func:`cross_tab`).

    Read from the survey's answer counts (one query, whatever the number of responses)
    and, for free text, one count of the text questions' answers.
    """
    questions = list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    )
    stored = _Counts(counts.counts_of(survey))
    texts = _text_counts(survey, [q.pk for q in questions if q.kind in TEXT_KINDS])
    items = []
    for question in questions:
        if question.kind in TEXT_KINDS:
            every, hidden = texts.get(question.pk, (0, 0))
            shown = every if include_hidden else every - hidden
            item: dict[str, Any] = {"respondents": shown}
            result: dict[str, Any] = {"count": shown}
            if include_hidden:
                result["hidden"] = hidden
        else:
            item = {"respondents": stored.answered.get(question.pk, 0)}
            result = _question_result(question, stored, language)
        items.append(
            {
                "code": question.code,
                "kind": question.kind,
                "text": _label(question, "text", language),
                **item,
                **result,
            }
        )
    return {
        "survey": survey.slug,
        "responses": submitted_count(survey),
        "questions": items,
    }


def _question_result(question: Question, stored: _Counts, language: str | None) -> dict[str, Any]:
    qid = question.pk
    options = list(question.options.all())
    answered = stored.answered.get(qid, 0)
    if question.kind in CHOICE_KINDS:
        other = stored.options.get((qid, None), 0)
        chosen = {o.pk: stored.options.get((qid, o.pk), 0) for o in options}
        # Single choice: each respondent counted once, so shares of all answers given.
        whole = answered if question.kind in MULTIPLE_KINDS else sum(chosen.values()) + other
        return {
            "options": [
                {
                    "code": o.code,
                    "text": _label(o, "text", language),
                    "count": chosen[o.pk],
                    "share": _share(chosen[o.pk], whole),
                }
                for o in options
            ],
            "other": {"count": other, "share": _share(other, whole)},
        }
    if question.kind == QuestionKind.SCALE:
        distribution = stored.values.get((qid, None), {})
        low = int(question.settings.get("scale_min", 1))
        high = int(question.settings.get("scale_max", 5))
        return {
            "scale": {"min": low, "max": high},
            "distribution": [
                {"value": v, "count": distribution.get(float(v), 0)} for v in range(low, high + 1)
            ],
            "n": sum(distribution.values()),
            "mean": _rounded(counts.mean_of(distribution)),
            "median": _median_of_counts(distribution),
        }
    if question.kind == QuestionKind.NUMBER:
        distribution = stored.values.get((qid, None), {})
        return {
            "n": sum(distribution.values()),
            "mean": _rounded(counts.mean_of(distribution)),
            "median": _median_of_counts(distribution),
        }
    if question.kind == QuestionKind.RANKING:
        m = len(options)
        ranked = []
        for option in options:
            positions = stored.values.get((qid, option.pk), {})
            times = sum(positions.values())
            borda = sum((m - p) * n for p, n in positions.items())
            ranked.append(
                {
                    "code": option.code,
                    "text": _label(option, "text", language),
                    "ranked": times,
                    "average_rank": _rounded(counts.mean_of(positions)),
                    "borda": int(borda),
                    "positions": [
                        {"position": p, "count": positions.get(float(p), 0)}
                        for p in range(1, m + 1)
                    ],
                }
            )
        return {"options": ranked}
    if question.kind == QuestionKind.MATRIX:
        low = int(question.settings.get("scale_min", 1))
        high = int(question.settings.get("scale_max", 5))
        rows = []
        for option in options:
            distribution = stored.values.get((qid, option.pk), {})
            rows.append(
                {
                    "code": option.code,
                    "text": _label(option, "text", language),
                    "counts": [
                        {"value": v, "count": distribution.get(float(v), 0)}
                        for v in range(low, high + 1)
                    ],
                    "n": sum(distribution.values()),
                    "mean": _rounded(counts.mean_of(distribution)),
                }
            )
        return {"scale": {"min": low, "max": high}, "rows": rows}
    if question.kind == QuestionKind.DATE:
        months = stored.months.get(qid, [])
        unit, periods = date_periods(months)
        return {"unit": unit, "periods": periods, "n": sum(m["count"] for m in months)}
    return {}


# Dates answered over a long span (years of birth, of moving in) would be hundreds of
# months: beyond two years a month is too thin to read, so months add up into years, and
# beyond thirty years into decades.
MONTHS_AT_MOST = 24
YEARS_AT_MOST = 30


def date_periods(months: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Answers per month (``{"month": "YYYY-MM", "count": n}``, in order, from the answer
    counts) as ``(unit, periods)``: by ``month`` while the answers span at most
    ``MONTHS_AT_MOST`` months, else by ``year`` (``"YYYY"``) while they span at most
    ``YEARS_AT_MOST`` years, else by ``decade`` (``"YYY0"``, its first year). Periods
    without answers are left out."""
    if not months:
        return "month", []
    first, last = months[0]["month"], months[-1]["month"]
    span = (int(last[:4]) * 12 + int(last[5:7])) - (int(first[:4]) * 12 + int(first[5:7])) + 1
    if span <= MONTHS_AT_MOST:
        return "month", [{"period": m["month"], "count": m["count"]} for m in months]
    years = int(last[:4]) - int(first[:4]) + 1
    unit, width = ("year", 4) if years <= YEARS_AT_MOST else ("decade", 3)
    added: dict[str, int] = {}
    for m in months:
        key = m["month"][:width] + ("0" if unit == "decade" else "")
        added[key] = added.get(key, 0) + m["count"]
    return unit, [{"period": key, "count": n} for key, n in added.items()]


# --- cross-tabulation -------------------------------------------------------------------------


def _groups(survey: Survey, by: str) -> list[tuple[str, str]]:
    if by == "district":
        return organisation_districts(survey.organisation_id)
    if by == "age_band":
        return age_groups()
    return [(str(value), str(label)) for value, label in TargetGroup.choices]


def cross_tab(
    survey: Survey, question_code: str, by: str, *, include_hidden: bool = False
) -> dict[str, Any]:
    """Respondents per option of a choice question by district, age band or target group
    of the response, through the kernel's suppression (``engagement.statistics``): groups
    under the threshold are hidden, with complementary suppression over the cells and every
    total. Several answers ticked, and target groups (a person in several or none), are
    overlapping groups. ``include_hidden`` changes nothing here (no free text is shown)
    and is accepted for the callers' symmetry."""
    if by not in CROSS_BY:
        raise ValidationError({"by": _("Choose district, age band or target group.")})
    question = (
        Question.objects.filter(survey=survey, code=question_code)
        .prefetch_related("options")
        .first()
    )
    if question is None:
        raise ValidationError(
            {
                "question": ValidationError(
                    _("This survey has no such question."), code="unknown_question"
                )
            }
        )
    if question.kind not in CHOICE_KINDS:
        raise ValidationError(
            {
                "question": ValidationError(
                    _("Only choice questions can be broken down by group."), code="not_a_choice"
                )
            }
        )
    options = list(question.options.all())
    option_codes = {o.pk: o.code for o in options}
    rows = [(o.code, _label(o, "text", None)) for o in options]
    groups = _groups(survey, by)
    columns = [key for key, _label_ in groups]
    known = set(columns)

    def columns_of(group: Any) -> list[str]:
        if by == "target_group":
            return [g for g in (group or []) if g in known]
        return [group if group in known else UNKNOWN]

    # By question alone (it is the survey's): the index (question, option, response) holds
    # all that is read of the answers.
    answers = Answer.objects.filter(question=question)
    field = "response__target_groups" if by == "target_group" else f"response__{by}"
    # Aggregated in SQL: respondents per option and raw group (a response picks an option
    # once; a target-group "group" is the response's list, split into columns here).
    picked = list(answers.values_list("option_id", field).annotate(n=Count("*")).order_by())
    # Respondents per raw group: the rows above where a response has one row, counted apart
    # (each response once) where it may have several.
    respondents: dict[str, tuple[Any, int]] = {}
    if question.kind in MULTIPLE_KINDS:
        own = "target_groups" if by == "target_group" else by
        for group, n in (
            Response.objects.filter(pk__in=answers.values("response_id"))
            .values_list(own)
            .annotate(n=Count("*"))
            .order_by()
        ):
            respondents[repr(group)] = (group, n)
    else:
        for _option, group, n in picked:
            seen = respondents.get(repr(group), (group, 0))[1]
            respondents[repr(group)] = (group, seen + n)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    row_totals: dict[str, int] = defaultdict(int)
    column_totals: dict[str, int] = defaultdict(int)
    for option_id, group, n in picked:
        code = option_codes.get(option_id, OTHER)
        row_totals[code] += n
        for column in columns_of(group):
            counts[(code, column)] += n
    total = 0
    for group, n in respondents.values():
        total += n
        for column in columns_of(group):
            column_totals[column] += n
    if row_totals.get(OTHER):
        rows.append((OTHER, _("Other")))
    row_keys = [key for key, _label_ in rows]
    overlapping_rows = question.kind in MULTIPLE_KINDS
    overlapping_columns = by == "target_group"
    shown = suppress_table(
        counts,
        row_keys,
        columns,
        row_totals=dict(row_totals) if overlapping_columns else None,
        column_totals=dict(column_totals) if overlapping_rows else None,
        total=total,
        overlapping_rows=overlapping_rows,
        overlapping_columns=overlapping_columns,
    )
    return {
        "question": question.code,
        "by": by,
        "threshold": THRESHOLD,
        "overlapping": overlapping_rows or overlapping_columns,
        "columns": [
            {"key": key, "label": str(label), "total": cell(shown.column_totals[key])}
            for key, label in groups
        ],
        "rows": [
            {
                "key": key,
                "label": str(label),
                "cells": [cell(shown.cells[(key, column)]) for column in columns],
                "total": cell(shown.row_totals[key]),
            }
            for key, label in rows
        ],
        "total": cell(shown.total),
    }


# --- free text --------------------------------------------------------------------------------

PAGE_SIZE = 20


def text_answers(
    survey: Survey,
    question_code: str,
    *,
    search: str = "",
    include_hidden: bool,
    page: int = 1,
) -> dict[str, Any]:
    """Free-text answers of a text question (or the "other" texts of a choice question),
    latest first, searchable. Hidden answers only with ``include_hidden`` (staff), marked.

    An answer is written when its response is sent or changed, so a higher id is a later
    answer: ordered by id, one question's page is read from the index
    ``survey_answer_text`` (question, id; written answers only) without touching its
    responses, and counted from that index alone (no search) with the hidden flag in it."""
    question = Question.objects.filter(survey=survey, code=question_code).first()
    if question is None:
        raise ValidationError(
            {
                "question": ValidationError(
                    _("This survey has no such question."), code="unknown_question"
                )
            }
        )
    if question.kind not in TEXT_KINDS and question.kind not in CHOICE_KINDS:
        raise ValidationError({"question": _("This question has no free-text answers.")})
    # By question alone (it is the survey's), as the index is.
    answers = Answer.objects.filter(question=question, option__isnull=True).exclude(text="")
    if not include_hidden:
        answers = answers.filter(hidden=False)
    search = (search or "").strip()
    if search:
        answers = answers.filter(text__icontains=search)
    count = answers.count()
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * PAGE_SIZE
    results = []
    for answer_id, text, hidden in answers.order_by("-pk").values_list("pk", "text", "hidden")[
        start : start + PAGE_SIZE
    ]:
        item: dict[str, Any] = {"id": answer_id, "text": text}
        if include_hidden:
            item["hidden"] = hidden
        results.append(item)
    return {
        "question": question.code,
        "search": search,
        "count": count,
        "page": page,
        "pages": pages,
        "results": results,
    }
