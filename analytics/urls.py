from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [path("operator/", views.OperatorHomeView.as_view(), name="operator_home")]
