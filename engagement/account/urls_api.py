from django.urls import path

from engagement.account import api as api_account

urlpatterns = [
    # The profile view of engagement.people.api.Me plus DELETE (account deletion).
    path("me/", api_account.MeAccount.as_view(), name="me"),
    path("me/data/", api_account.PersonalData.as_view(), name="me-data"),
    path("me/notifications/", api_account.NotificationList.as_view(), name="me-notifications"),
    path(
        "me/notifications/read-all/",
        api_account.NotificationsReadAll.as_view(),
        name="me-notifications-read-all",
    ),
    path(
        "me/notifications/<int:notification_id>/read/",
        api_account.NotificationRead.as_view(),
        name="me-notification-read",
    ),
    path(
        "me/notification-preferences/",
        api_account.NotificationPreferences.as_view(),
        name="me-notification-preferences",
    ),
]
