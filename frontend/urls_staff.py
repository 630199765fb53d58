"""Staff pages: round set-up, tally preview, publishing, statistics."""

from django.urls import path

from frontend.views import staff

urlpatterns = [
    path("", staff.staff_home, name="staff_home"),
]
