from django.views.generic import TemplateView

from tenancy import roles
from tenancy.views_base import TenantView


class OperatorHomeView(TenantView, TemplateView):
    """Operator home: entry to traffic runs, certification, compliance and ecosystem health."""

    tenant_kinds = [roles.OPERATOR]
    template_name = "analytics/operator_home.html"
