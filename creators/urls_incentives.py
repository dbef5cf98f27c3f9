"""Routes of the incentive plan's pages (in the ``creators`` namespace: ``creators/urls.py``)."""

from django.urls import path

from . import views_incentives as views

urlpatterns = [
    path("operator/incentives/", views.incentive_plans, name="incentive_plans"),
    path("operator/incentives/<int:pk>/", views.incentive_plan, name="incentive_plan"),
    path(
        "operator/incentives/milestones/<int:pk>/",
        views.incentive_milestone,
        name="incentive_milestone",
    ),
    path("operator/incentives/awards/", views.incentive_awards, name="incentive_awards"),
    path(
        "operator/incentives/awards/<int:pk>/revoke/",
        views.incentive_award_revoke,
        name="incentive_award_revoke",
    ),
    path("operator/incentives/runs/", views.incentive_runs, name="incentive_runs"),
    path("portal/awards/", views.my_awards, name="my_awards"),
    path("agency/awards/", views.agency_awards, name="agency_awards"),
]
