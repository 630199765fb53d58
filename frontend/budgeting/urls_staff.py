"""Staff pages: round set-up, tally preview, publishing, statistics."""

from django.urls import path

from frontend.budgeting.views import staff

urlpatterns = [
    path("", staff.staff_home, name="staff_home"),
    path("o/<slug:slug>/", staff.staff_organisation, name="staff_organisation"),
    path(
        "o/<slug:slug>/settings/",
        staff.staff_organisation_settings,
        name="staff_organisation_settings",
    ),
    path("o/<slug:slug>/rounds/new/", staff.staff_round_create, name="staff_round_create"),
    path("rounds/<slug:slug>/", staff.staff_round, name="staff_round"),
    path("rounds/<slug:slug>/settings/", staff.staff_round_settings, name="staff_round_settings"),
    path(
        "rounds/<slug:slug>/districts/", staff.staff_round_districts, name="staff_round_districts"
    ),
    path("rounds/<slug:slug>/projects/", staff.staff_round_projects, name="staff_round_projects"),
    path("projects/<int:pk>/edit/", staff.staff_project_edit, name="staff_project_edit"),
    path("rounds/<slug:slug>/phase/", staff.staff_round_phase, name="staff_round_phase"),
    path("rounds/<slug:slug>/tally/", staff.staff_tally, name="staff_tally"),
    path("rounds/<slug:slug>/publish/", staff.staff_publish, name="staff_publish"),
    path("rounds/<slug:slug>/statistics/", staff.staff_statistics, name="staff_statistics"),
]
