"""allauth's own pages, answering HTTP 400 on an invalid form (Kopa's rule for bad input).

Included in ``config/urls.py`` just before ``allauth.urls``, with allauth's paths and names,
so these resolve first and ``{% url 'account_login' %}`` keeps working. Everything else
(logout, e-mail confirmation, password-reset done pages) is allauth's view unchanged.
"""

from django.urls import path, re_path

from frontend.account import views as account

urlpatterns = [
    path("login/", account.LoginView.as_view(), name="account_login"),
    path("signup/", account.SignupView.as_view(), name="account_signup"),
    path("reauthenticate/", account.ReauthenticateView.as_view(), name="account_reauthenticate"),
    path("email/", account.EmailView.as_view(), name="account_email"),
    path(
        "password/change/",
        account.PasswordChangeView.as_view(),
        name="account_change_password",
    ),
    path("password/set/", account.PasswordSetView.as_view(), name="account_set_password"),
    path("password/reset/", account.PasswordResetView.as_view(), name="account_reset_password"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        account.PasswordResetFromKeyView.as_view(),
        name="account_reset_password_from_key",
    ),
]
