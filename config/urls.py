from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import tenancy as tenancy_api
from api.views import ApiRootView
from brands import api as brands_api
from compliance import api as compliance_api
from creators import api as creators_api
from creators import api_academy as academy_api
from creators import api_incentives as incentives_api
from matching import api as matching_api
from mcn import api as mcn_api
from traffic import api as traffic_api
from webhooks import api as webhooks_api

from .health import healthz

# One router for /api/v1/: each app's api module lists its viewsets.
router = DefaultRouter()
router.include_format_suffixes = False
# DRF's root view is no TenantAPIView, so HasActor refused it to everyone: ApiRootView below.
router.include_root_view = False
for prefix, viewset, basename in [
    *tenancy_api.ROUTES,
    *webhooks_api.ROUTES,
    *creators_api.ROUTES,
    *incentives_api.ROUTES,
    *brands_api.ROUTES,
    *compliance_api.ROUTES,
    *mcn_api.ROUTES,
    *traffic_api.ROUTES,
]:
    router.register(prefix, viewset, basename=basename)

#: What GET /api/v1/ lists: each registered resource's list, and the endpoints beside the router.
API_ROOT = {
    **{
        prefix: f"api:{basename}-list"
        for prefix, viewset, basename in router.registry
        if hasattr(viewset, "list")
    },
    "me": "api:me",
    "metrics/bulk": "api:metrics-bulk",
    "content/bulk": "api:content-bulk",
    "compliance/check": "api:compliance-check",
    "compliance/check-batch": "api:compliance-check-batch",
    "academy/me": "api:academy-me",
}

api_v1 = [
    path("", ApiRootView.as_view(resources=API_ROOT), name="api-root"),
    path("me/", tenancy_api.MeView.as_view(), name="me"),
    path("metrics/bulk/", creators_api.MetricsBulkView.as_view(), name="metrics-bulk"),
    path("content/bulk/", creators_api.ContentBulkView.as_view(), name="content-bulk"),
    path("academy/me/", academy_api.AcademyMeView.as_view(), name="academy-me"),
    # The selection centre (matching/api.py). The lookalikes sit among the creators' URLs, but
    # the creators app cannot know the matcher: served from here, before the router's routes.
    path(
        "matching/products/<int:product_id>/creators/",
        matching_api.ProductCreatorsView.as_view(),
        name="matching-product-creators",
    ),
    path(
        "matching/creators/<slug:handle>/products/",
        matching_api.CreatorProductsView.as_view(),
        name="matching-creator-products",
    ),
    path(
        "creators/<slug:handle>/lookalikes/",
        matching_api.CreatorLookalikesView.as_view(),
        name="creator-lookalikes",
    ),
    *router.urls,
]

urlpatterns = [
    path("", include("tenancy.urls")),
    # Each app's urls.py carries its full paths (brand/…, creators/…, portal/…, agency/…).
    path("", include("creators.urls")),
    path("", include("brands.urls")),
    path("", include("compliance.urls")),
    path("", include("mcn.urls")),
    path("", include("traffic.urls")),
    path("", include("matching.urls")),
    path("", include("analytics.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script from its own URL (?script), so the page
    # needs no inline script under the CSP; its one <style> carries the nonce
    # (templates/drf_spectacular/swagger_ui.html).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

# JSON under /api/, the site's own pages (templates/400.html …) elsewhere.
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.not_found"
handler500 = "api.errors.server_error"
