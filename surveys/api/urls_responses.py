"""Survey API URLs: the list and detail residents read, and responses."""

from django.urls import path

from surveys.api import responses, surveys

urlpatterns = [
    path("surveys/", surveys.SurveyCollection.as_view(), name="survey-list"),
    path("surveys/<slug:slug>/", surveys.SurveyDetail.as_view(), name="survey-detail"),
    path(
        "surveys/<slug:slug>/responses/",
        responses.SurveyResponses.as_view(),
        name="survey-responses",
    ),
    path(
        "surveys/<slug:slug>/responses/mine/",
        responses.OwnResponse.as_view(),
        name="survey-response-mine",
    ),
]
