"""Query-string filters of round and project lists, shared by the API and the pages."""

from __future__ import annotations

import django_filters
from django.db import connection
from django.db.models import QuerySet

from budgeting.models import BudgetRound, Phase, Project, ProjectStatus


class RoundFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(
        field_name="organisation__slug", help_text="Organisation slug."
    )
    phase = django_filters.ChoiceFilter(choices=Phase.choices)

    class Meta:
        model = BudgetRound
        fields = ["organisation", "phase"]


class ProjectFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(
        field_name="district_budget__key", help_text="District budget key."
    )
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices)
    category = django_filters.CharFilter(method="filter_category", help_text="One category.")
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", help_text="Words in the title."
    )

    class Meta:
        model = Project
        fields = ["district", "status", "category", "q"]

    def filter_category(self, queryset: QuerySet[Project], name: str, value: str):
        if connection.vendor == "postgresql":
            return queryset.filter(categories__contains=[value])
        # SQLite has no JSON containment: compare in Python on the (small) id/categories pairs.
        ids = [
            pk
            for pk, categories in queryset.values_list("pk", "categories")
            if isinstance(categories, list) and value in categories
        ]
        return queryset.filter(pk__in=ids)
