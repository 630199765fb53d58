"""Workshop API URLs: each part keeps its own module."""

from django.urls import include, path

urlpatterns = [
    path("", include("workshops.api.urls_events")),
    path("", include("workshops.api.urls_board")),
]
