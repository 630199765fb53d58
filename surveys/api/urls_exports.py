"""Survey API URLs: exports (answers and codebook, CSV or JSON)."""

from django.urls import path

from surveys.api import exports

urlpatterns = [
    path(
        "surveys/<slug:slug>/export.<str:fmt>",
        exports.AnswersExport.as_view(),
        name="survey-export",
    ),
    path(
        "surveys/<slug:slug>/codebook.<str:fmt>",
        exports.CodebookExport.as_view(),
        name="survey-codebook",
    ),
]
