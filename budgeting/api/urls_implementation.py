from django.urls import path

from budgeting.api import implementation as views

urlpatterns = [
    path(
        "rounds/<slug:slug>/projects/<str:project_id>/implementation/",
        views.ProjectImplementationView.as_view(),
        name="round-project-implementation",
    ),
    path(
        "rounds/<slug:slug>/projects/<str:project_id>/implementation/updates/",
        views.ImplementationUpdates.as_view(),
        name="round-project-implementation-updates",
    ),
    path(
        "rounds/<slug:slug>/projects/<str:project_id>/follow/",
        views.ProjectFollowView.as_view(),
        name="round-project-follow",
    ),
    path(
        "rounds/<slug:slug>/statistics/", views.RoundStatistics.as_view(), name="round-statistics"
    ),
    path(
        "rounds/<slug:slug>/statistics/staff/",
        views.RoundStatisticsStaff.as_view(),
        name="round-statistics-staff",
    ),
]
