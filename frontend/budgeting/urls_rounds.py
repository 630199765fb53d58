"""A round's public pages: overview, projects, results, implementation."""

from django.urls import path

from frontend.budgeting.views import rounds

urlpatterns = [
    path("<slug:slug>/", rounds.round_detail, name="round"),
    path("<slug:slug>/projects/", rounds.round_projects, name="round_projects"),
    path("<slug:slug>/projects/<int:pk>/", rounds.project_detail, name="project"),
    path("<slug:slug>/projects/<int:pk>/follow/", rounds.project_follow, name="project_follow"),
    path("<slug:slug>/results/", rounds.round_results, name="round_results"),
    path("<slug:slug>/implementation/", rounds.round_implementation, name="round_implementation"),
]
