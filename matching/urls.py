from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("brand/selection/", views.selection, name="selection"),
    path("brand/selection/target/", views.selection_target, name="selection_target"),
    path(
        "brand/selection/products/<int:product_id>/",
        views.selection_product,
        name="selection_product",
    ),
    path("portal/products/", views.portal_products, name="portal_products"),
]
