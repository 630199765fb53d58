"""A survey's results, counted in SQL: per question, and cross-tabulated by district, age
band and target group (people groups: suppressed by ``engagement.statistics``).

Only submitted responses have counted rows (``Answer``), so every read is one indexed scan of
one survey's answers grouped by question (and option, and value) — a handful of queries for
the whole survey, whatever the number of questions or responses.

Rankings: with ``m`` options, the option ranked at position ``p`` (1 = first) gets ``m - p``
Borda points. A partial ranking (``rank_count`` below ``m``) gives the options it leaves out
no points, and they do not enter their average rank: the average rank of an option is over
the respondents who ranked it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Avg, Count
from django.db.models.functions import TruncMonth
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


def _number_medians(survey: Survey, question_ids: list[int]) -> dict[int, float | None]:
    """Medians of number questions: ``percentile_cont`` on PostgreSQL, one query; elsewhere
    the values are counted per value and the median read from the counts."""
    if not question_ids:
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT question_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY number) "
                "FROM surveys_answer WHERE survey_id = %s AND question_id = ANY(%s) "
                "AND number IS NOT NULL GROUP BY question_id",
                [survey.pk, question_ids],
            )
            return {qid: (None if m is None else float(m)) for qid, m in cursor.fetchall()}
    counts: dict[int, dict[float, int]] = defaultdict(dict)
    rows = (
        Answer.objects.filter(survey=survey, question_id__in=question_ids, number__isnull=False)
        .values_list("question_id", "number")
        .annotate(n=Count("id"))
    )
    for qid, number, n in rows:
        counts[qid][number] = n
    return {qid: _median_of_counts(counts[qid]) for qid in question_ids}


def _label(obj: Any, field: str, language: str | None) -> str:
    return localised(obj, field, language) if language else getattr(obj, field)


def survey_results(
    survey: Survey, *, include_hidden: bool, language: str | None = None
) -> dict[str, Any]:
    """Results of every question of ``survey`` as plain data.

    Choice and profile kinds: count and share per option, ``other`` answers counted apart
    (multiple choice: shares of the respondents to the question, so they may add up past
    1). Scale: distribution, mean, median, ``n``. Number: mean, median, ``n``. Ranking:
    average rank and Borda points per option. Matrix: per row, counts per scale value and
    the mean. Text: the number of answers (hidden ones only for staff, as
    ``hidden``). Date: answers per month. Answers are not groups of people, so nothing is
    suppressed here; cross-tabulations are (:func:`cross_tab`).
    """
    questions = list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    )
    answers = Answer.objects.filter(survey=survey)
    # 1. Per question and option: rows and mean value. COUNT(*) and the value are in the
    # index (survey, question, option, number): PostgreSQL reads no table rows for this.
    by_option: dict[tuple[int, int | None], dict[str, Any]] = {}
    for row in answers.values("question_id", "option_id").annotate(
        n=Count("*"), mean=Avg("number")
    ):
        by_option[(row["question_id"], row["option_id"])] = row
    # 2. Respondents per question: one row per response for most kinds (so the rows of
    # step 1); counted apart only where a response has several rows.
    several = [q.pk for q in questions if q.kind in SEVERAL_ROWS_KINDS]
    respondents: dict[int, int] = defaultdict(int)
    for (qid, _oid), row in by_option.items():
        if qid not in several:
            respondents[qid] += row["n"]
    if several:
        respondents.update(
            answers.filter(question_id__in=several)
            .values("question_id")
            .annotate(n=Count("response_id", distinct=True))
            .values_list("question_id", "n")
        )
    # Hidden free text (text questions only): counted apart for staff, left out for others.
    text_ids = [q.pk for q in questions if q.kind in TEXT_KINDS]
    hidden_texts: dict[int, int] = {}
    if text_ids:
        hidden_texts = dict(
            answers.filter(question_id__in=text_ids, hidden=True)
            .values("question_id")
            .annotate(n=Count("*"))
            .values_list("question_id", "n")
        )
    if not include_hidden:
        for qid, n in hidden_texts.items():
            respondents[qid] -= n
    # 3. Values per question and option: scale distributions, matrix tables, rank positions.
    value_ids = [q.pk for q in questions if q.kind in VALUE_KINDS]
    values: dict[tuple[int, int | None], dict[float, int]] = defaultdict(dict)
    if value_ids:
        for qid, oid, number, n in (
            answers.filter(question_id__in=value_ids, number__isnull=False)
            .values_list("question_id", "option_id", "number")
            .annotate(n=Count("*"))
        ):
            values[(qid, oid)][number] = n
    # 4. Dates by month.
    date_ids = [q.pk for q in questions if q.kind == QuestionKind.DATE]
    months: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if date_ids:
        for qid, month, n in (
            answers.filter(question_id__in=date_ids, date__isnull=False)
            .annotate(month=TruncMonth("date"))
            .values_list("question_id", "month")
            .annotate(n=Count("id"))
            .order_by("question_id", "month")
        ):
            months[qid].append({"month": month.strftime("%Y-%m"), "count": n})
    medians = _number_medians(survey, [q.pk for q in questions if q.kind == QuestionKind.NUMBER])

    items = []
    for question in questions:
        item: dict[str, Any] = {
            "code": question.code,
            "kind": question.kind,
            "text": _label(question, "text", language),
            "respondents": respondents.get(question.pk, 0),
        }
        item.update(
            _question_result(
                question,
                by_option,
                values,
                months,
                medians,
                respondents,
                hidden_texts,
                include_hidden,
                language,
            )
        )
        items.append(item)
    return {
        "survey": survey.slug,
        "responses": submitted_count(survey),
        "questions": items,
    }


def _question_result(
    question: Question,
    by_option: dict[tuple[int, int | None], dict[str, Any]],
    values: dict[tuple[int, int | None], dict[float, int]],
    months: dict[int, list[dict[str, Any]]],
    medians: dict[int, float | None],
    respondents: dict[int, int],
    hidden_texts: dict[int, int],
    include_hidden: bool,
    language: str | None,
) -> dict[str, Any]:
    qid = question.pk
    options = list(question.options.all())
    answered = respondents.get(qid, 0)
    empty: dict[str, Any] = {}
    if question.kind in CHOICE_KINDS:
        other = by_option.get((qid, None), empty).get("n", 0)
        counts = {o.pk: by_option.get((qid, o.pk), empty).get("n", 0) for o in options}
        # Single choice: each respondent counted once, so shares of all answers given.
        whole = answered if question.kind in MULTIPLE_KINDS else sum(counts.values()) + other
        return {
            "options": [
                {
                    "code": o.code,
                    "text": _label(o, "text", language),
                    "count": counts[o.pk],
                    "share": _share(counts[o.pk], whole),
                }
                for o in options
            ],
            "other": {"count": other, "share": _share(other, whole)},
        }
    if question.kind == QuestionKind.SCALE:
        distribution = values.get((qid, None), {})
        low = int(question.settings.get("scale_min", 1))
        high = int(question.settings.get("scale_max", 5))
        row = by_option.get((qid, None), empty)
        n = sum(distribution.values())
        return {
            "scale": {"min": low, "max": high},
            "distribution": [
                {"value": v, "count": distribution.get(float(v), 0)} for v in range(low, high + 1)
            ],
            "n": n,
            "mean": None if row.get("mean") is None else round(row["mean"], 3),
            "median": _median_of_counts(distribution),
        }
    if question.kind == QuestionKind.NUMBER:
        row = by_option.get((qid, None), empty)
        return {
            "n": row.get("n", 0),
            "mean": None if row.get("mean") is None else round(row["mean"], 3),
            "median": medians.get(qid),
        }
    if question.kind == QuestionKind.RANKING:
        m = len(options)
        ranked = []
        for option in options:
            positions = values.get((qid, option.pk), {})
            times = sum(positions.values())
            borda = sum((m - p) * n for p, n in positions.items())
            mean = sum(p * n for p, n in positions.items()) / times if times else None
            ranked.append(
                {
                    "code": option.code,
                    "text": _label(option, "text", language),
                    "ranked": times,
                    "average_rank": None if mean is None else round(mean, 3),
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
            distribution = values.get((qid, option.pk), {})
            row = by_option.get((qid, option.pk), empty)
            rows.append(
                {
                    "code": option.code,
                    "text": _label(option, "text", language),
                    "counts": [
                        {"value": v, "count": distribution.get(float(v), 0)}
                        for v in range(low, high + 1)
                    ],
                    "n": sum(distribution.values()),
                    "mean": None if row.get("mean") is None else round(row["mean"], 3),
                }
            )
        return {"scale": {"min": low, "max": high}, "rows": rows}
    if question.kind in TEXT_KINDS:
        row = by_option.get((qid, None), empty)
        hidden = hidden_texts.get(qid, 0)
        answer: dict[str, Any] = {"count": row.get("n", 0) - (0 if include_hidden else hidden)}
        if include_hidden:
            answer["hidden"] = hidden
        return answer
    if question.kind == QuestionKind.DATE:
        return {"months": months.get(qid, []), "n": sum(m["count"] for m in months.get(qid, []))}
    return {}


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
        raise ValidationError({"question": _("This survey has no such question.")})
    if question.kind not in CHOICE_KINDS:
        raise ValidationError({"question": _("Only choice questions can be broken down by group.")})
    options = list(question.options.all())
    option_codes = {o.pk: o.code for o in options}
    rows = [(o.code, _label(o, "text", None)) for o in options]
    groups = _groups(survey, by)
    columns = [key for key, _label_ in groups]
    known = set(columns)
    answers = Answer.objects.filter(survey=survey, question=question)
    field = "response__target_groups" if by == "target_group" else f"response__{by}"
    # One row per (response, option): a response picks an option once.
    picked: dict[Any, tuple[set[str], list[str]]] = {}
    for response_id, option_id, group in answers.values_list("response_id", "option_id", field):
        chosen, in_groups = picked.setdefault(response_id, (set(), []))
        chosen.add(option_codes.get(option_id, OTHER))
        if by == "target_group":
            in_groups[:] = [g for g in (group or []) if g in known]
        else:
            in_groups[:] = [group if group in known else UNKNOWN]
    if any(OTHER in chosen for chosen, _g in picked.values()):
        rows.append((OTHER, _("Other")))
    row_keys = [key for key, _label_ in rows]
    counts: dict[tuple[str, str], int] = defaultdict(int)
    row_totals: dict[str, int] = defaultdict(int)
    column_totals: dict[str, int] = defaultdict(int)
    for chosen, in_groups in picked.values():
        for group in in_groups:
            column_totals[group] += 1
            for code in chosen:
                counts[(code, group)] += 1
        for code in chosen:
            row_totals[code] += 1
    overlapping_rows = question.kind in MULTIPLE_KINDS
    overlapping_columns = by == "target_group"
    shown = suppress_table(
        counts,
        row_keys,
        columns,
        row_totals=dict(row_totals) if overlapping_columns else None,
        column_totals=dict(column_totals) if overlapping_rows else None,
        total=len(picked),
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
    newest first, searchable. Hidden answers only with ``include_hidden`` (staff), marked."""
    question = Question.objects.filter(survey=survey, code=question_code).first()
    if question is None:
        raise ValidationError({"question": _("This survey has no such question.")})
    if question.kind not in TEXT_KINDS and question.kind not in CHOICE_KINDS:
        raise ValidationError({"question": _("This question has no free-text answers.")})
    answers = Answer.objects.filter(survey=survey, question=question, option__isnull=True).exclude(
        text=""
    )
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
    for answer_id, text, hidden in answers.order_by("-response__submitted_on", "-pk").values_list(
        "pk", "text", "hidden"
    )[start : start + PAGE_SIZE]:
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
