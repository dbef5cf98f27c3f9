from django.urls import path

from . import urls_incentives, views

app_name = "creators"
urlpatterns = [
    path("creators/", views.directory, name="directory"),
    path("creators/<slug:handle>/", views.detail, name="detail"),
    path("portal/", views.PortalView.as_view(), name="portal"),
]
# The incentive plan (光合计划): operator, creator and agency pages.
urlpatterns += urls_incentives.urlpatterns
