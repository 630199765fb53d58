"""Shaping stored tally runs for the API: per-project outcomes with translated explanations.

A ``TallyResult`` keeps, per project, a stable reason code, the step of the rule in which
the decision fell and the figures behind it (``budgeting.tally.Explanation``). The API adds
one translated sentence per project from :data:`RESULT_REASON_MESSAGES`. While vote counts
are not public (``selectors.counts_are_public``), support and every figure derived from it
(voters' shares, money left to supporters) are left out of both the numbers and the sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from budgeting.models import Project, TallyResult
from budgeting.tally import natural_key
from engagement.money import format_money

# The tally's stable reason codes (budgeting.tally.ReasonCode) as sentences for people.
# Variants: "selected_free" (a project costing nothing), "not_affordable_leftover" (the
# leftover step of equal-shares-greedy), "supporters_exhausted_spent_on" (naming where the
# supporters' money went).
RESULT_REASON_MESSAGES = {
    "selected": _("Funded at step %(step)s."),
    "selected_free": _("Funded: it costs nothing."),
    "completion_add1": _(
        "Funded at step %(step)s, once every voter's share of the budget was raised"
        " (Add1 completion)."
    ),
    "completion_greedy": _("Funded from the money left over, at step %(step)s."),
    "not_affordable": _(
        "Not funded: at step %(step)s it cost %(cost)s and only %(remaining)s was left."
    ),
    "not_affordable_leftover": _(
        "Not funded: its supporters' shares did not cover it, and the %(remaining)s left over"
        " was less than its cost of %(cost)s."
    ),
    "supporters_exhausted": _(
        "Not funded: its supporters' shares together were smaller than its cost of %(cost)s."
    ),
    "supporters_exhausted_spent_on": _(
        "Not funded: its supporters' shares were spent on %(projects)s first."
    ),
    "no_support": _("Not funded: nobody voted for it."),
}

# Explanation figures that reveal nothing about vote counts; the rest are withheld while
# counts are not public.
_COUNT_FREE_PARAMS = frozenset({"cost", "remaining", "order", "tied_with", "mes_reason"})
# Figures that are amounts of money (minor units), for the sentence.
_MONEY_PARAMS = frozenset({"cost", "remaining"})


def _visible_params(params: Mapping[str, Any], counts_public: bool) -> dict[str, Any]:
    if counts_public:
        return dict(params)
    shown = {k: v for k, v in params.items() if k in _COUNT_FREE_PARAMS}
    if params.get("spent_on"):
        shown["spent_on"] = [{"project_id": s["project_id"]} for s in params["spent_on"]]
    return shown


def explanation_sentence(
    explanation: Mapping[str, Any], currency: str, titles: Mapping[str, str]
) -> str:
    """One translated sentence for a stored explanation (``Explanation.to_dict()``)."""
    reason = explanation.get("reason", "")
    params = explanation.get("params") or {}
    values: dict[str, Any] = {"step": explanation.get("step")}
    for name in _MONEY_PARAMS:
        if isinstance(params.get(name), int | float):
            values[name] = format_money(round(params[name]), currency)
    key = reason
    if reason == "selected" and params.get("cost") == 0:
        key = "selected_free"
    elif reason == "not_affordable" and params.get("mes_reason"):
        key = "not_affordable_leftover"
    elif reason == "supporters_exhausted" and params.get("spent_on"):
        key = "supporters_exhausted_spent_on"
        values["projects"] = ", ".join(
            f"{titles.get(s['project_id'], s['project_id'])} ({s['project_id']})"
            for s in params["spent_on"]
        )
    template = RESULT_REASON_MESSAGES.get(key)
    if template is None:
        return reason
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):  # an older run without the figure
        return reason


def project_titles(results: Iterable[TallyResult]) -> dict[int, dict[str, str]]:
    """District budget id -> {project external id: title}, in one query."""
    district_ids = {r.district_budget_id for r in results}
    titles: dict[int, dict[str, str]] = {d: {} for d in district_ids}
    for district_id, external_id, title in Project.objects.filter(
        district_budget_id__in=district_ids
    ).values_list("district_budget_id", "external_id", "title"):
        titles[district_id][external_id] = title
    return titles


def project_outcomes(
    result: TallyResult, *, currency: str, counts_public: bool, titles: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Funded projects in selection order, then the others by project id."""
    order = {pid: i for i, pid in enumerate(result.selected)}
    explanations: Mapping[str, Mapping[str, Any]] = result.explanations or {}
    ids = sorted(
        explanations,
        key=lambda pid: (pid not in order, order.get(pid, 0), natural_key(pid)),
    )
    rows = []
    for pid in ids:
        explanation = explanations[pid]
        params = _visible_params(explanation.get("params") or {}, counts_public)
        shown = {**explanation, "params": params}
        rows.append(
            {
                "id": pid,
                "title": titles.get(pid, ""),
                "selected": bool(explanation.get("selected")),
                "support": result.support.get(pid) if counts_public else None,
                "reason": explanation.get("reason", ""),
                "step": explanation.get("step"),
                "params": params,
                "explanation": explanation_sentence(shown, currency, titles),
            }
        )
    return rows
