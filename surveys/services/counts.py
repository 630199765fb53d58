"""Answer counts (``surveys.models.AnswerCount``): what results read instead of the answers.

One function derives the keys (:func:`answer_key`, and :func:`count_keys` for one
response's rows); submitting and changing a response add its keys and subtract the old
ones in the response's own transaction (:func:`add`), and :func:`recount` rebuilds a
survey's counts from its ``Answer`` rows. Tests hold the two to each other.

Free text (short and long text) is not counted here: moderation hides it and account
deletion removes it, so results count it from ``Answer`` (one question's rows, by index).
Nothing else changes counted rows of a submitted response: account deletion keeps the
chosen "other" (only its words go), moderation only hides words, and a survey's structure
is locked once it has a response.

Counts that fall to 0 stay as rows with ``n = 0``: deleting them would take a second
statement, racing a response that adds the same key at the same moment; results read 0
as no answer.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth

from surveys import answers as rules
from surveys.models import Answer, AnswerCount, Survey

ANSWERED = "answered"
OTHER = "other"
# Kinds whose response may have several counted rows: their respondents are counted apart.
SEVERAL_ROWS_KINDS = rules.MULTIPLE_KINDS | {rules.RANKING, rules.MATRIX}


class CountedAnswer(NamedTuple):
    """What a key needs of one counted row (``Answer``)."""

    question_id: int
    kind: str
    option_id: int | None
    number: float | None
    date: date | None


def value_text(number: float) -> str:
    """A value as written in keys: whole numbers without a fraction ("4", not "4.0")."""
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(float(number))


def answer_key(kind: str, option_id: int | None, number: float | None, day: Any) -> str | None:
    """The key one counted row adds to (None: not counted here, free text)."""
    if kind in rules.CHOICE_KINDS:
        return OTHER if option_id is None else f"o:{option_id}"
    if kind in (rules.SCALE, rules.NUMBER):
        return None if number is None else f"v:{value_text(number)}"
    if kind == rules.RANKING:
        return f"r:{option_id}:{value_text(number or 0.0)}"
    if kind == rules.MATRIX:
        return f"m:{option_id}:{value_text(number or 0.0)}"
    if kind == rules.DATE:
        return None if day is None else f"d:{day:%Y-%m}"
    return None


def count_keys(rows: Iterable[CountedAnswer]) -> Counter[tuple[int, str]]:
    """(question id, key) -> count for the counted rows of ONE response: a key per row, and
    ``answered`` once per question the response answered (free text left out)."""
    counts: Counter[tuple[int, str]] = Counter()
    for row in rows:
        key = answer_key(row.kind, row.option_id, row.number, row.date)
        if key is None:
            continue
        counts[(row.question_id, key)] += 1
        counts[(row.question_id, ANSWERED)] = 1
    return counts


def add(survey_id: int, delta: Mapping[tuple[int, str], int]) -> None:
    """Add ``delta`` (negative to subtract) to a survey's counts: one statement, rows in
    (question, key) order so concurrent responses lock them in the same order and never
    deadlock. Call it last in the response's transaction: the rows it locks stay locked
    until the commit."""
    changes = sorted((k, n) for k, n in delta.items() if n)
    if not changes:
        return
    table = connection.ops.quote_name(AnswerCount._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(changes))
    params: list[Any] = []
    for (question_id, key), n in changes:
        params += [survey_id, question_id, key, n]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (survey_id, question_id, key, n) VALUES {values} "
            f"ON CONFLICT (question_id, key) DO UPDATE SET n = {table}.n + EXCLUDED.n",
            params,
        )


def _grouped_counts(survey_id: int, answer_model: Any = Answer) -> dict[tuple[int, str], int]:
    """A survey's counts from its counted rows, grouped in SQL: one row per question,
    option, value and month comes back, never one per answer."""
    answers = answer_model.objects.filter(survey_id=survey_id).exclude(
        question__kind__in=rules.TEXT_KINDS
    )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for question_id, kind, option_id, number, month, n in (
        answers.annotate(month=TruncMonth("date"))
        .values_list("question_id", "question__kind", "option_id", "number", "month")
        .annotate(n=Count("*"))
        .order_by()
    ):
        key = answer_key(kind, option_id, number, month)
        if key is None:
            continue
        counts[(question_id, key)] += n
        if kind not in SEVERAL_ROWS_KINDS:  # one row per respondent
            counts[(question_id, ANSWERED)] += n
    for question_id, n in (
        answers.filter(question__kind__in=SEVERAL_ROWS_KINDS)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
        .order_by()
    ):
        counts[(question_id, ANSWERED)] = n
    return counts


def rebuild(survey_id: int, *, answer_model: Any = Answer, count_model: Any = AnswerCount) -> int:
    """Replace a survey's counts with those counted from its ``Answer`` rows (the models
    are parameters so a data migration can call it with its historical models)."""
    counts = _grouped_counts(survey_id, answer_model)
    count_model.objects.filter(survey_id=survey_id).delete()
    count_model.objects.bulk_create(
        [
            count_model(survey_id=survey_id, question_id=question_id, key=key, n=n)
            for (question_id, key), n in sorted(counts.items())
        ],
        batch_size=2000,
    )
    return len(counts)


def recount(survey: Survey) -> int:
    """Rebuild ``survey``'s counts from its counted rows; returns the number of counts.

    The survey row is locked meanwhile (on PostgreSQL a response holds a share lock on it
    while it is stored), so no response is stored half-counted during the rebuild."""
    with transaction.atomic():
        Survey.objects.select_for_update().filter(pk=survey.pk).exists()
        return rebuild(survey.pk)


def counts_of(survey: Survey) -> dict[tuple[int, str], int]:
    """A survey's stored counts, zeros left out (one indexed query)."""
    return {
        (question_id, key): n
        for question_id, key, n in AnswerCount.objects.filter(survey=survey, n__gt=0)
        .values_list("question_id", "key", "n")
        .order_by()
    }


def mean_of(distribution: Mapping[float, int]) -> float | None:
    """The mean of values given as value -> count."""
    total = sum(distribution.values())
    if not total:
        return None
    return math.fsum(value * n for value, n in distribution.items()) / total
