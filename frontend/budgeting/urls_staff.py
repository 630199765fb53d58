"""Staff pages of a round: design, projects, phase, dashboard, paper ballots, tally preview,
publishing, statistics, implementation."""

from django.urls import path

from frontend.budgeting.views import implementation, paper
from frontend.budgeting.views.staff import (
    comparison,
    dashboard,
    design,
    phase,
    projects,
    statistics,
    tally,
)

urlpatterns = [
    path("o/<slug:slug>/rounds/new/", design.staff_round_create, name="staff_round_create"),
    path(
        "o/<slug:slug>/rounds/compare/",
        comparison.staff_round_comparison,
        name="staff_round_comparison",
    ),
    path("rounds/<slug:slug>/", dashboard.staff_round, name="staff_round"),
    path("rounds/<slug:slug>/settings/", design.staff_round_settings, name="staff_round_settings"),
    path(
        "rounds/<slug:slug>/districts/", design.staff_round_districts, name="staff_round_districts"
    ),
    path(
        "rounds/<slug:slug>/projects/", projects.staff_round_projects, name="staff_round_projects"
    ),
    path("projects/<int:pk>/edit/", projects.staff_project_edit, name="staff_project_edit"),
    path("rounds/<slug:slug>/phase/", phase.staff_round_phase, name="staff_round_phase"),
    path("rounds/<slug:slug>/tally/", tally.staff_tally, name="staff_tally"),
    path("rounds/<slug:slug>/publish/", tally.staff_publish, name="staff_publish"),
    path("rounds/<slug:slug>/statistics/", statistics.staff_statistics, name="staff_statistics"),
    path("rounds/<slug:slug>/paper/", paper.paper_entry, name="staff_paper"),
    path(
        "rounds/<slug:slug>/implementation/",
        implementation.implementation_list,
        name="staff_implementation",
    ),
    path(
        "projects/<int:pk>/implementation/",
        implementation.project_implementation,
        name="staff_project_implementation",
    ),
]
