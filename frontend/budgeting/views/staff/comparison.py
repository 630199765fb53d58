"""A city's budget rounds side by side: ballots and turnout, ideas, reach into the target
groups, and what residents said in each round's evaluation survey.

The page composes two features: budgeting's round statistics (which include the ideas of a
round's idea phase through the kernel's registry) and the scores of the surveys feature.
Every figure is suppressed by the kernel's rules: counts of fewer than five people, shares of
such counts, and means of fewer than five answers are not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from budgeting import statistics
from budgeting.models import BudgetRound, Phase
from engagement.http.spreadsheets import csv_text
from engagement.people import permissions
from engagement.people.models import Organisation, TargetGroup
from engagement.statistics import THRESHOLD
from frontend.staff_access import staff_crumbs, staff_page
from surveys.selectors import evaluation_scores


@dataclass(frozen=True)
class Figure:
    """One cell of the comparison: a number, or hidden because too few people are behind it
    (``None`` and not suppressed: nothing to show, e.g. no evaluation survey)."""

    value: float | int | None
    suppressed: bool = False
    unit: str = ""  # "%" for shares, "" for counts and mean scores

    @property
    def shown(self) -> bool:
        return self.value is not None


def _count(cell: dict[str, Any] | None) -> Figure:
    if cell is None:
        return Figure(None)
    return Figure(cell.get("count"), bool(cell.get("suppressed")))


def _share(part: int | None, whole: int | None) -> Figure:
    if part is None or whole is None:
        return Figure(None, suppressed=True, unit="%")
    if whole == 0:
        return Figure(None, unit="%")
    return Figure(round(100 * part / whole, 1), unit="%")


def _score(scores: dict[str, Any] | None, code: str) -> Figure:
    if not scores:
        return Figure(None)
    if scores["responses"] < THRESHOLD or scores[code] is None:
        return Figure(None, suppressed=True)
    return Figure(round(scores[code], 2))


def comparison_rows(organisation: Organisation) -> list[dict[str, Any]]:
    """One entry per round past draft, oldest first, every figure suppressed."""
    rounds = list(
        BudgetRound.objects.filter(organisation=organisation)
        .exclude(phase=Phase.DRAFT)
        .select_related("organisation")
        .order_by("created_at", "pk")
    )
    scores = evaluation_scores([r.pk for r in rounds])
    rows = []
    for budget_round in rounds:
        stats = statistics.round_statistics(budget_round, staff=True)
        voters = stats["voters"]["count"]
        residents = ((stats.get("by_district") or {}).get("residents_total") or {}).get("count")
        ballots = (stats.get("ballots_by_channel") or {}).get("total")
        contributions = stats.get("contributions")
        by_group = {g["key"]: g["voters"]["count"] for g in stats.get("by_target_group") or []}
        evaluation = scores.get(budget_round.pk)
        rows.append(
            {
                "round": budget_round,
                "ballots": _count(ballots),
                "voters": _count(stats["voters"]),
                "turnout": _share(voters, residents),
                "ideas": _count(contributions["ideas"]) if contributions else Figure(None),
                "reach": [_share(by_group.get(key), voters) for key in TargetGroup.values],
                "satisfaction": _score(evaluation, "satisfaction"),
                "fairness": _score(evaluation, "fairness"),
                "evaluation_responses": _responses(evaluation),
            }
        )
    return rows


def _responses(evaluation: dict[str, Any] | None) -> Figure:
    if not evaluation:
        return Figure(None)
    n = evaluation["responses"]
    return Figure(None, suppressed=True) if n < THRESHOLD else Figure(n)


def _columns() -> list[tuple[str, str]]:
    """(key, heading) of the table's and the CSV's columns after the round."""
    return [
        ("ballots", _("Ballots cast")),
        ("voters", _("Voters")),
        ("turnout", _("Turnout (percentage of registered residents)")),
        ("ideas", _("Ideas submitted")),
        *(
            (f"reach:{key}", _("Reach: %(group)s (%% of voters)") % {"group": label})
            for key, label in TargetGroup.choices
        ),
        ("satisfaction", _("Satisfaction (mean score)")),
        ("fairness", _("Fairness of the outcome (mean score)")),
        ("evaluation_responses", _("Evaluation responses")),
    ]


def _figure(row: dict[str, Any], key: str) -> Figure:
    if key.startswith("reach:"):
        return row["reach"][TargetGroup.values.index(key.split(":", 1)[1])]
    return row[key]


def comparison_table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The table both the page and the CSV show: headings, and per round its figures."""
    columns = _columns()
    return {
        "columns": [heading for _key, heading in columns],
        "rows": [
            {"round": row["round"], "figures": [_figure(row, key) for key, _h in columns]}
            for row in rows
        ],
    }


def _csv(organisation: Organisation, table: dict[str, Any]) -> HttpResponse:
    hidden = _("fewer than %(n)s") % {"n": THRESHOLD}

    def text(figure: Figure) -> Any:
        if figure.suppressed:
            return hidden
        return "" if figure.value is None else figure.value

    body = csv_text(
        [_("Round"), _("Title"), _("Phase"), *table["columns"]],
        (
            [
                row["round"].slug,
                row["round"].title,
                row["round"].get_phase_display(),
                *(text(f) for f in row["figures"]),
            ]
            for row in table["rows"]
        ),
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{organisation.slug}-round-comparison.csv"'
    )
    return response


def _bars(rows: list[dict[str, Any]], key: str, peak: float | None = None) -> dict[str, Any]:
    """One bar per round in the results pages' bar chart (``surveys/results/_bars.html``);
    a hidden figure gets no bar, and the words the table uses."""
    hidden = _("fewer than %(n)s") % {"n": THRESHOLD}
    values = [row[key].value for row in rows if row[key].shown]
    top = peak or max(values, default=0) or 1
    bars = []
    for row in rows:
        figure = row[key]
        bars.append(
            {
                "label": row["round"].title,
                "count": figure.value
                if figure.shown
                else (hidden if figure.suppressed else _("no figure")),
                "percent": None,
                "width": round(100 * figure.value / top, 1) if figure.shown else 0,
                "shown": figure.shown,
            }
        )
    return {"bars": bars}


@staff_page(permissions.is_staff_of)
def staff_round_comparison(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's rounds side by side, as a table, charts and a CSV file."""
    rows = comparison_rows(organisation)
    table = comparison_table(rows)
    if request.GET.get("format") == "csv":
        return _csv(organisation, table)
    charts = [
        {"title": _("Turnout (percentage of registered residents)"), **_bars(rows, "turnout", 100)},
        {"title": _("Satisfaction (mean score)"), **_bars(rows, "satisfaction")},
        {"title": _("Fairness of the outcome (mean score)"), **_bars(rows, "fairness")},
    ]
    return render(
        request,
        "frontend/staff/round_comparison.html",
        {
            "organisation": organisation,
            "table": table,
            "charts": [c for c in charts if any(b["shown"] for b in c["bars"])],
            "threshold": THRESHOLD,
            "crumbs": staff_crumbs(organisation, (_("Compare rounds"), None)),
        },
    )
