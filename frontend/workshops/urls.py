"""Workshop pages: each part keeps its own URL module."""

from django.urls import include, path

urlpatterns = [
    path("", include("frontend.workshops.urls_events")),
    path("", include("frontend.workshops.urls_board")),
    path("staff/", include("frontend.workshops.urls_staff")),
]
