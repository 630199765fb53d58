"""Workshop pages (events): an organisation's workshops and calendar feed, one workshop with
registration, and its outcome."""

from django.urls import path

from frontend.workshops.events import views

urlpatterns = [
    path(
        "o/<slug:org_slug>/workshops/",
        views.organisation_workshops,
        name="workshops_organisation",
    ),
    path("o/<slug:org_slug>/workshops.ics", views.organisation_feed, name="workshops_feed"),
    path("workshops/<int:pk>/", views.workshop_detail, name="workshop_detail"),
    path("workshops/<int:pk>/outcome/", views.workshop_outcome, name="workshop_outcome"),
]
