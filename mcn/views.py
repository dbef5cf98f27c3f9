from django.views.generic import TemplateView

from tenancy.views_base import TenantView


class TierView(TenantView, TemplateView):
    """Agency home: the 星火计划 tier page. Certification arrives with its issue."""

    tenant_kinds = ["agency"]
    template_name = "mcn/tier.html"
