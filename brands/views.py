from django.views.generic import TemplateView

from tenancy.views_base import TenantView


class DashboardView(TenantView, TemplateView):
    """Brand home. Campaigns and the product-selection centre arrive with their issues."""

    tenant_kinds = ["brand"]
    template_name = "brands/dashboard.html"
