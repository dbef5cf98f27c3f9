from django.urls import path

from . import views

app_name = "creators"
urlpatterns = [
    path("creators/", views.directory, name="directory"),
    path("creators/<slug:handle>/", views.detail, name="detail"),
    path("portal/", views.PortalView.as_view(), name="portal"),
]
