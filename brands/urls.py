from django.urls import path

from . import views, views_offers, views_refunds

app_name = "brands"
urlpatterns = [
    path("brand/", views.dashboard, name="dashboard"),
    path("brand/dashboard/<str:table>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("brand/products/", views.product_list, name="products"),
    path("brand/products/new/", views.product_new, name="product_new"),
    path("brand/products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path(
        "brand/products/<int:pk>/archive/",
        views.product_archive_view,
        {"archived": True},
        name="product_archive",
    ),
    path(
        "brand/products/<int:pk>/unarchive/",
        views.product_archive_view,
        {"archived": False},
        name="product_unarchive",
    ),
    path("brand/campaigns/", views.campaign_list, name="campaigns"),
    path("brand/campaigns/new/", views.campaign_new, name="campaign_new"),
    path("brand/campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("brand/offers/new/", views_offers.offer_new, name="offer_new"),
    path("brand/campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    *[
        path(
            f"brand/campaigns/<int:pk>/{action}/",
            views.campaign_move_view,
            {"action": action},
            name=f"campaign_{action}",
        )
        for action in ("pause", "resume", "close")
    ],
    path(
        "brand/collaborations/<int:pk>/transition/",
        views.collaboration_transition_view,
        name="collaboration_transition",
    ),
    # The creator's side of a collaboration lives in the portal, next to creators' own pages.
    path("portal/offers/", views.offers, name="offers"),
    path("portal/offers/<int:pk>/respond/", views.offer_respond, name="offer_respond"),
    path("portal/offers/<int:pk>/content/", views.offer_content, name="offer_content"),
    path("brand/reviews/", views.reviews, name="reviews"),
    # Refunds: the brand's decisions, the operator's final ones, the creator's read-only list.
    path("brand/refunds/", views_refunds.refunds, name="refunds"),
    path("brand/refunds/<int:pk>/decide/", views_refunds.refund_decision, name="refund_decide"),
    path("operator/refunds/", views_refunds.refund_disputes, name="refund_disputes"),
    path(
        "operator/refunds/<int:pk>/decide/",
        views_refunds.refund_final_decision,
        name="refund_final_decide",
    ),
    path("portal/refunds/", views_refunds.my_refunds, name="my_refunds"),
    path(
        "brand/collaborations/<int:pk>/review/",
        views.collaboration_review,
        name="collaboration_review",
    ),
]
