"""Survey pages: the staff page of a survey's files."""

from django.urls import path

from frontend.surveys import exports

urlpatterns = [
    path("surveys/<slug:slug>/files/", exports.staff_survey_exports, name="staff_survey_exports"),
]
