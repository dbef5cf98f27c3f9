from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tenancy.api.endpoints import MeView
from tenancy.api.urls import router as tenancy_router
from tenancy.health import healthz

api_v1 = [
    path("me/", MeView.as_view(), name="me"),
    *tenancy_router.urls,
]

urlpatterns = [
    path("", include("tenancy.urls")),
    # Each app's urls.py carries its full paths (brand/…, creators/…, portal/…, agency/…).
    path("", include("creators.urls")),
    path("", include("brands.urls")),
    path("", include("mcn.urls")),
    path("", include("analytics.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler404 = "tenancy.api.errors.not_found"
