"""Survey pages: an organisation's surveys, answering, thanks; staff invitation codes."""

from django.urls import path

from frontend.surveys.answer import views

urlpatterns = [
    path("o/<slug:org_slug>/surveys/", views.organisation_surveys, name="organisation_surveys"),
    path("surveys/<slug:slug>/", views.survey_page, name="survey"),
    path("surveys/<slug:slug>/thanks/", views.survey_thanks, name="survey_thanks"),
    path(
        "staff/surveys/<slug:slug>/invitations/",
        views.invitations,
        name="staff_survey_invitations",
    ),
]
