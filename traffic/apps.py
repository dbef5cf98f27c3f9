from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrafficConfig(AppConfig):
    name = "traffic"

    def ready(self):
        from mcn.selectors import PACKAGE_USE_READERS
        from tenancy.scopes import register_scope
        from webhooks import events

        from .selectors import package_use_of_agency

        PACKAGE_USE_READERS.append(package_use_of_agency)

        register_scope("traffic:read", _("Read traffic allocation runs"))
        events.register(
            "traffic.run_published",
            _("A traffic allocation run finished and its results are active."),
        )
