from django.urls import path

from . import views

app_name = "mcn"
urlpatterns = [path("agency/tier/", views.TierView.as_view(), name="tier")]
