from django.urls import path

from . import views

app_name = "brands"
urlpatterns = [path("brand/", views.DashboardView.as_view(), name="dashboard")]
