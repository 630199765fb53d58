"""Account pages: profile, notifications, personal data, deletion."""

from django.urls import path

from frontend.account import views as account

urlpatterns = [
    path("", account.account, name="account"),
    path("notifications/", account.notifications_page, name="notifications"),
    path("notifications/read-all/", account.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", account.notification_read, name="notification_read"),
    path("notifications/<int:pk>/open/", account.notification_open, name="notification_open"),
    path("notifications/settings/", account.notification_settings, name="notification_settings"),
    path("data/", account.personal_data_page, name="personal_data"),
    path("data/download/", account.personal_data_download, name="personal_data_download"),
    path("delete/", account.account_delete, name="account_delete"),
]
