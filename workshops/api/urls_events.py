"""Workshop API URLs (events)."""

from django.urls import path

from workshops.api import events, outcomes, registration, staff

urlpatterns = [
    path("workshops/", events.WorkshopCollection.as_view(), name="workshops"),
    path("workshops/<int:workshop_id>/", events.WorkshopDetail.as_view(), name="workshop-detail"),
    path(
        "workshops/<int:workshop_id>/calendar.ics",
        events.WorkshopCalendar.as_view(),
        name="workshop-calendar",
    ),
    path(
        "workshops/<int:workshop_id>/registration/",
        registration.WorkshopRegistration.as_view(),
        name="workshop-registration",
    ),
    path(
        "organisations/<slug:slug>/workshops/",
        staff.OrganisationWorkshops.as_view(),
        name="organisation-workshops",
    ),
    path(
        "workshops/<int:workshop_id>/publish/",
        staff.WorkshopPublish.as_view(),
        name="workshop-publish",
    ),
    path(
        "workshops/<int:workshop_id>/cancel/",
        staff.WorkshopCancel.as_view(),
        name="workshop-cancel",
    ),
    path("workshops/<int:workshop_id>/copy/", staff.WorkshopCopy.as_view(), name="workshop-copy"),
    path(
        "workshops/<int:workshop_id>/attendance/",
        staff.WorkshopAttendance.as_view(),
        name="workshop-attendance",
    ),
    path(
        "workshops/<int:workshop_id>/minutes/",
        outcomes.WorkshopMinutes.as_view(),
        name="workshop-minutes",
    ),
    path(
        "workshops/<int:workshop_id>/photos/",
        outcomes.WorkshopPhotos.as_view(),
        name="workshop-photos",
    ),
    path(
        "workshops/<int:workshop_id>/photos/<int:photo_id>/",
        outcomes.WorkshopPhotoDetail.as_view(),
        name="workshop-photo",
    ),
    path(
        "workshops/<int:workshop_id>/outcome/publish/",
        outcomes.WorkshopOutcomePublish.as_view(),
        name="workshop-outcome-publish",
    ),
]
