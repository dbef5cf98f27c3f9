from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self):
        from tenancy import roles
        from tenancy.homes import register_home, register_nav

        register_home("operator", "analytics:operator_home")
        register_nav("analytics:report", _("Ecosystem analytics"), kinds=[roles.OPERATOR])
        register_nav("analytics:agency", _("Analytics"), kinds=[roles.AGENCY])
