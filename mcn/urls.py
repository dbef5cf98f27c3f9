from django.urls import path

from . import views, views_operator

app_name = "mcn"
urlpatterns = [
    path("agency/tier/", views.tier, name="tier"),
    path("agency/tier/what-if/", views.tier_what_if, name="tier_what_if"),
    path("agency/tier/appeal/", views.tier_appeal, name="tier_appeal"),
    path("agency/roster/", views.roster, name="roster"),
    path("agency/contracts/<int:pk>/end/", views.contract_end_view, name="contract_end"),
    path(
        "agency/contracts/<int:pk>/withdraw/",
        views.contract_withdraw_view,
        name="contract_withdraw",
    ),
    # The operator's certification pages.
    path(
        "operator/certification/",
        views_operator.certification_runs,
        name="certification_runs",
    ),
    path(
        "operator/certification/<int:pk>/",
        views_operator.certification_run,
        name="certification_run",
    ),
    path(
        "operator/certification/appeals/",
        views_operator.appeals,
        name="certification_appeals",
    ),
    path(
        "operator/certification/appeals/<int:pk>/decide/",
        views_operator.appeal_decision,
        name="certification_appeal_decide",
    ),
    path("operator/certification/policy/", views_operator.policy, name="certification_policy"),
    path(
        "operator/certification/benefits/",
        views_operator.benefits,
        name="certification_benefits",
    ),
    path(
        "operator/certification/concentration/",
        views_operator.concentration,
        name="certification_concentration",
    ),
    # The creator answers offers in its portal, next to the creators app's own portal pages.
    path("portal/contracts/", views.portal_contracts, name="portal_contracts"),
    path(
        "portal/contracts/<int:pk>/accept/",
        views.portal_contract_answer,
        {"answer": "accept"},
        name="portal_contract_accept",
    ),
    path(
        "portal/contracts/<int:pk>/decline/",
        views.portal_contract_answer,
        {"answer": "decline"},
        name="portal_contract_decline",
    ),
]
