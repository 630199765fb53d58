"""Staff pages of an organisation: the staff home, one organisation, its look."""

from django.urls import path

from frontend.organisations import views

urlpatterns = [
    path("", views.staff_home, name="staff_home"),
    path("o/<slug:slug>/", views.staff_organisation, name="staff_organisation"),
    path(
        "o/<slug:slug>/settings/",
        views.staff_organisation_settings,
        name="staff_organisation_settings",
    ),
]
