from django.urls import path

from . import views

app_name = "traffic"
urlpatterns = [
    path("operator/traffic/", views.runs, name="runs"),
    path("operator/traffic/<int:pk>/", views.run_detail, name="run"),
    path("operator/traffic/<int:pk>/status/", views.run_status, name="run_status"),
    path("operator/traffic/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("operator/traffic/<int:pk>/allocations.csv", views.run_csv, name="run_csv"),
    # The creator's side lives in the portal, next to the creators' own pages.
    path("portal/traffic/", views.my_traffic, name="my_traffic"),
]
