"""Workshop pages (staff, mounted under /staff/)."""

from django.urls import path

from frontend.workshops.staff import views

urlpatterns = [
    path("o/<slug:slug>/workshops/", views.staff_workshops, name="staff_workshops"),
    path("o/<slug:slug>/workshops/new/", views.staff_workshop_new, name="staff_workshop_new"),
    path("workshops/<int:pk>/", views.staff_workshop_edit, name="staff_workshop_edit"),
    path(
        "workshops/<int:pk>/publish/", views.staff_workshop_publish, name="staff_workshop_publish"
    ),
    path("workshops/<int:pk>/cancel/", views.staff_workshop_cancel, name="staff_workshop_cancel"),
    path("workshops/<int:pk>/copy/", views.staff_workshop_copy, name="staff_workshop_copy"),
    path(
        "workshops/<int:pk>/attendance/",
        views.staff_workshop_attendance,
        name="staff_workshop_attendance",
    ),
    path(
        "workshops/<int:pk>/attendance.csv",
        views.staff_workshop_attendance_csv,
        name="staff_workshop_attendance_csv",
    ),
    path(
        "workshops/<int:pk>/outcome/", views.staff_workshop_outcome, name="staff_workshop_outcome"
    ),
]
