from django.urls import path

from . import views, views_growth

app_name = "creators"
urlpatterns = [
    path("creators/", views.directory, name="directory"),
    path("creators/<slug:handle>/", views.detail, name="detail"),
    path("portal/", views.PortalView.as_view(), name="portal"),
    path("operator/growth-effect/", views_growth.growth_effect, name="growth_effect"),
]
