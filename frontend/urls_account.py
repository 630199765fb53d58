"""Account pages: profile, notifications, personal data, deletion."""

from django.urls import path

from frontend.views import account

urlpatterns = [
    path("", account.account, name="account"),
    path("notifications/", account.notifications, name="notifications"),
]
