"""Survey pages: staff build surveys (mounted under /staff/)."""

from django.urls import path

from frontend.surveys.staff import views

urlpatterns = [
    path("o/<slug:slug>/surveys/", views.staff_surveys, name="staff_surveys"),
    path("o/<slug:slug>/surveys/new/", views.staff_survey_create, name="staff_survey_create"),
    # Before "surveys/<slug>/": "new" is not a survey.
    path("surveys/new/", views.staff_survey_new, name="staff_survey_new"),
    path("surveys/<slug:slug>/", views.staff_survey, name="staff_survey"),
    path("surveys/<slug:slug>/build/", views.staff_survey_build, name="staff_survey_build"),
    path(
        "surveys/<slug:slug>/settings/",
        views.staff_survey_settings,
        name="staff_survey_settings",
    ),
    path(
        "surveys/<slug:slug>/questions/<int:pk>/",
        views.staff_question_edit,
        name="staff_question_edit",
    ),
    path("surveys/<slug:slug>/preview/", views.staff_survey_preview, name="staff_survey_preview"),
]
