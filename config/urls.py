from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import healthz, readyz
from engagement.http.api import error_view
from engagement.http.cache_policy import public_cache

api_v1 = [
    # Before engagement.people.urls_api: its "me/" adds account deletion to the profile view.
    path("", include("engagement.account.urls_api")),
    path("", include("engagement.people.urls_api")),
    path("", include("engagement.ideas.api.urls")),
    path("", include("budgeting.api.urls")),
    path("", include("budgeting.api.urls_implementation")),
    path("", include("surveys.api.urls")),
    path("", include("workshops.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # Kopa's thin wrappers first: invalid sign-in/sign-up forms answer 400
    # (frontend.account.urls_allauth).
    path("accounts/", include("frontend.account.urls_allauth")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    # The one API answer caches may keep: the same document for everyone until a release.
    path("api/schema/", public_cache(300)(SpectacularAPIView.as_view()), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("frontend.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# JSON under /api/ (also for paths that match no endpoint), Kopa's error pages elsewhere.
handler400 = error_view(400)
handler403 = error_view(403)
handler404 = error_view(404)
handler500 = error_view(500)
