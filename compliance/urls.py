"""Compliance pages (the views module says who may see each)."""

from django.urls import path

from . import views, views_originality

app_name = "compliance"

urlpatterns = [
    path("compliance/", views.queue, name="queue"),
    path("compliance/cases/<int:pk>/", views.case_detail, name="case"),
    path("compliance/cases/<int:pk>/claim/", views.case_claim_view, name="case_claim"),
    path("compliance/cases/<int:pk>/decide/", views.case_decision, name="case_decide"),
    path("compliance/appeals/", views.appeals, name="appeals"),
    path("compliance/appeals/<int:pk>/decide/", views.appeal_decision, name="appeal_decide"),
    path("compliance/policy/", views.policy, name="policy"),
    path("compliance/model/", views.model, name="model"),
    path("compliance/model/retrain/", views.retrain, name="retrain"),
    path("compliance/model/runs/<int:pk>/status/", views.retrain_status, name="retrain_status"),
    path("compliance/figures/", views.figures, name="figures"),
    # The creator's notices and an agency's view of its creators.
    path("compliance/my/", views.mine, name="mine"),
    path("compliance/my/sanctions/<int:pk>/appeal/", views.sanction_appeal, name="appeal_file"),
    path("compliance/violations/", views.violations, name="violations"),
    # Consumer protection: complaint rates (the operator's leaders; each party its own).
    path("compliance/complaint-rates/", views.complaint_rates, name="complaint_rates"),
    path(
        "compliance/complaint-rates/<slug:kind>/<int:subject_id>/",
        views.complaint_rate,
        name="complaint_rate",
    ),
    # Originality: the operator's flags, contests and trends; one flag or contest for each of
    # its parties; the creator's flags and contests; an agency's view of its creators.
    path(
        "compliance/originality/",
        views_originality.originality_flags_page,
        name="originality_flags",
    ),
    path(
        "compliance/originality/flags/<int:pk>/",
        views_originality.originality_flag_detail,
        name="originality_flag",
    ),
    path(
        "compliance/originality/contests/",
        views_originality.originality_contests_page,
        name="originality_contests",
    ),
    path(
        "compliance/originality/contests/<int:pk>/",
        views_originality.originality_contest_detail,
        name="originality_contest",
    ),
    path(
        "compliance/originality/contests/<int:pk>/decide/",
        views_originality.originality_contest_decision,
        name="originality_contest_decide",
    ),
    path(
        "compliance/originality/trends/",
        views_originality.originality_trends,
        name="originality_trends",
    ),
    path("compliance/my/originality/", views_originality.originality_mine, name="originality_mine"),
    path(
        "compliance/my/originality/<int:pk>/contest/",
        views_originality.originality_contest_file,
        name="originality_contest_file",
    ),
    path(
        "compliance/originality/creators/",
        views_originality.originality_agency,
        name="originality_agency",
    ),
]
