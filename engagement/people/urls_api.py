from django.urls import path

from engagement.people import api

urlpatterns = [
    path("organisations/", api.OrganisationList.as_view(), name="organisation-list"),
    path(
        "organisations/<slug:slug>/", api.OrganisationDetail.as_view(), name="organisation-detail"
    ),
    path(
        "organisations/<slug:slug>/memberships/",
        api.MembershipCollection.as_view(),
        name="organisation-memberships",
    ),
]
