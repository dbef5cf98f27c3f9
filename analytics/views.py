from django.views.generic import TemplateView

from tenancy.views_base import TenantView


class OperatorHomeView(TenantView, TemplateView):
    """Operator home: entry to traffic runs, certification, compliance and ecosystem health."""

    tenant_kinds = ["operator"]
    template_name = "analytics/operator_home.html"
