from django.views.generic import TemplateView

from tenancy.views_base import TenantView

from .selectors import creator_of_portal


class PortalView(TenantView, TemplateView):
    tenant_kinds = ["creator"]
    template_name = "creators/portal.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(creator=creator_of_portal(actor=self.actor), **kwargs)
