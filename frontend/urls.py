"""Page URLs. Each area keeps its own module; all names live in the ``frontend`` namespace."""

from django.urls import include, path

from frontend.views import home

app_name = "frontend"

urlpatterns = [
    path("", home.home, name="home"),
    path("brand/<slug:slug>.css", home.brand_css, name="brand_css"),
    path("rounds/", include("frontend.urls_rounds")),
    path("rounds/", include("frontend.urls_ballot")),
    path("", include("frontend.urls_ideas")),
    path("account/", include("frontend.urls_account")),
    path("staff/", include("frontend.urls_staff")),
    path("staff/", include("frontend.urls_staff_queues")),
]
