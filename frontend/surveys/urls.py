"""Survey pages: each part keeps its own URL module."""

from django.urls import include, path

urlpatterns = [
    path("", include("frontend.surveys.urls_answer")),
    path("", include("frontend.surveys.urls_results")),
    path("staff/", include("frontend.surveys.urls_staff_build")),
    path("staff/", include("frontend.surveys.urls_exports")),
]
