from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self):
        from tenancy.scopes import register_scope

        register_scope("webhooks:manage", _("Register webhook endpoints and read their deliveries"))
        # Registers the delivery task in every process (web too): services find it by name.
        from . import tasks  # noqa: F401
