"""Survey pages: results."""

from django.urls import path

from frontend.surveys.results import views

urlpatterns = [
    path("surveys/<slug:slug>/results/", views.survey_results_page, name="survey_results"),
    path(
        "staff/surveys/<slug:slug>/results/",
        views.staff_survey_results,
        name="staff_survey_results",
    ),
    path(
        "staff/surveys/<slug:slug>/results/text/<int:answer_id>/hide/",
        views.staff_answer_visibility,
        {"action": "hide"},
        name="staff_survey_answer_hide",
    ),
    path(
        "staff/surveys/<slug:slug>/results/text/<int:answer_id>/show/",
        views.staff_answer_visibility,
        {"action": "show"},
        name="staff_survey_answer_show",
    ),
]
