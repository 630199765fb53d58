"""Survey API URLs: results."""

from django.urls import path

from surveys.api import results

urlpatterns = [
    path("surveys/<slug:slug>/results/", results.SurveyResults.as_view(), name="survey-results"),
    path(
        "surveys/<slug:slug>/results/cross/",
        results.SurveyCrossTab.as_view(),
        name="survey-results-cross",
    ),
    path(
        "surveys/<slug:slug>/results/text/",
        results.SurveyTextAnswers.as_view(),
        name="survey-results-text",
    ),
    path(
        "surveys/<slug:slug>/results/text/<int:answer_id>/hide/",
        results.HideAnswer.as_view(),
        name="survey-results-text-hide",
    ),
    path(
        "surveys/<slug:slug>/results/text/<int:answer_id>/show/",
        results.ShowAnswer.as_view(),
        name="survey-results-text-show",
    ),
]
