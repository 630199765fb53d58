"""Page URLs. Each page package keeps its own URL modules; all names live in the ``frontend``
namespace."""

from django.urls import include, path

from frontend import home

app_name = "frontend"

urlpatterns = [
    path("", home.home, name="home"),
    path("brand/<slug:slug>.css", home.brand_css, name="brand_css"),
    path("rounds/", include("frontend.budgeting.urls_rounds")),
    path("rounds/", include("frontend.budgeting.urls_ballot")),
    path("", include("frontend.ideas.urls")),
    path("account/", include("frontend.account.urls")),
    path("staff/", include("frontend.organisations.urls")),
    path("staff/", include("frontend.budgeting.urls_staff")),
    path("staff/", include("frontend.ideas.urls_staff")),
    path("", include("frontend.surveys.urls")),
    path("", include("frontend.workshops.urls")),
]
