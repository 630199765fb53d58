"""An organisation's page, its processes and citizen ideas."""

from django.urls import path

from frontend.views import ideas

urlpatterns = [
    path("o/<slug:slug>/", ideas.organisation, name="organisation"),
]
