"""What the evaluation surveys say about budget rounds, for comparing a city's rounds.

Rounds are named by id only: surveys know budget rounds by their table, not their code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Avg, Count

from engagement.statistics import THRESHOLD
from surveys.models import Answer, Response, ResponseStatus, SurveyPurpose

# The codes of the evaluation template's scale questions (surveys.templates).
SCORE_CODES = ("satisfaction", "fairness")


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
