"""Survey API URLs: each part keeps its own module."""

from django.urls import include, path

urlpatterns = [
    path("", include("surveys.api.urls_building")),
    path("", include("surveys.api.urls_responses")),
    path("", include("surveys.api.urls_results")),
    path("", include("surveys.api.urls_exports")),
]
