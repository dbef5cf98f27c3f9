from django.urls import path

from . import views

app_name = "mcn"
urlpatterns = [
    path("agency/tier/", views.TierView.as_view(), name="tier"),
    path("agency/roster/", views.roster, name="roster"),
    path("agency/contracts/<int:pk>/end/", views.contract_end_view, name="contract_end"),
]
