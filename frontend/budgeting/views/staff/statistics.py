"""Who took part in a round, by district, age band and target group (small groups suppressed)."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from budgeting import statistics
from budgeting.models import BudgetRound
from engagement.http.spreadsheets import safe_row
from engagement.people import permissions
from frontend.budgeting.views.staff.common import round_context, round_page


def _statistics_rows(stats: dict[str, Any]) -> list[list[str]]:
    """The suppressed statistics as CSV rows; hidden cells read "fewer than 5"."""
    hidden = _("fewer than %(n)s") % {"n": stats["threshold"]}

    def cell(value: dict[str, Any] | None, key: str = "count") -> str:
        if value is None:
            return ""
        return hidden if value.get("suppressed") else str(value.get(key))

    rows = [[_("Table"), _("Group"), _("Voters"), _("Registered residents"), _("Turnout %")]]
    for table, title in (("by_district", _("District")), ("by_age_group", _("Age group"))):
        data = stats.get(table)
        for group in (data or {}).get("groups", []):
            rows.append(
                [
                    str(title),
                    group["label"],
                    cell(group["voters"]),
                    cell(group.get("residents")),
                    cell(group.get("turnout"), "percent"),
                ]
            )
    for group in stats.get("by_target_group") or []:
        rows.append([_("Target group"), group["label"], cell(group["voters"]), "", ""])
    return rows


@round_page(permissions.is_staff_of)
def staff_statistics(request: HttpRequest, budget_round: BudgetRound) -> HttpResponse:
    """Who took part, by district, age band and target group; small groups suppressed."""
    stats = statistics.round_statistics(budget_round, staff=True)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{budget_round.slug}-statistics.csv"'
        )
        writer = csv.writer(response)
        for row in _statistics_rows(stats):
            writer.writerow(safe_row(row))
        return response
    return render(
        request,
        "frontend/staff/statistics.html",
        round_context(
            request,
            budget_round,
            "staff_statistics",
            page_title=_("Statistics"),
            stats=stats,
            district_chart=_bar_chart((stats.get("by_district") or {}).get("groups", [])),
            age_chart=_bar_chart((stats.get("by_age_group") or {}).get("groups", [])),
            channel_labels=dict(online=_("Online"), paper=_("Paper"), imported=_("Imported")),
        ),
    )


def _bar_chart(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """Horizontal bars of voters per group; suppressed groups get no bar (the table says why)."""
    shown = [g for g in groups if not g["voters"]["suppressed"]]
    peak = max((g["voters"]["count"] for g in shown), default=0) or 1
    bars = []
    for index, group in enumerate(groups):
        count = None if group["voters"]["suppressed"] else group["voters"]["count"]
        bars.append(
            {
                "label": group["label"],
                "count": count,
                "y": index * 32,
                "width": 0 if count is None else round(380 * count / peak, 1),
            }
        )
    return {"bars": bars, "height": max(len(groups), 1) * 32}
