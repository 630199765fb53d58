"""Survey API URLs: building (organisation administrators)."""

from django.urls import path

from surveys.api import building

urlpatterns = [
    path(
        "organisations/<slug:slug>/surveys/",
        building.OrganisationSurveys.as_view(),
        name="organisation-surveys",
    ),
    path(
        "surveys/<slug:slug>/settings/",
        building.SurveySettings.as_view(),
        name="survey-settings",
    ),
    path(
        "surveys/<slug:slug>/definition/",
        building.SurveyDefinition.as_view(),
        name="survey-definition",
    ),
    path(
        "surveys/<slug:slug>/duplicate/",
        building.SurveyDuplicate.as_view(),
        name="survey-duplicate",
    ),
    path("surveys/<slug:slug>/publish/", building.SurveyPublish.as_view(), name="survey-publish"),
    path("surveys/<slug:slug>/close/", building.SurveyClose.as_view(), name="survey-close"),
    path("surveys/<slug:slug>/reopen/", building.SurveyReopen.as_view(), name="survey-reopen"),
    path("surveys/<slug:slug>/draft/", building.SurveyDraft.as_view(), name="survey-draft"),
]
