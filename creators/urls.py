from django.urls import path

from . import views

app_name = "creators"
urlpatterns = [path("portal/", views.PortalView.as_view(), name="portal")]
