from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenancy"

    def ready(self):
        from . import hardening  # noqa: F401  (connects the lock-out audit receiver)
        from .homes import register_home

        register_home("partner", "tenancy:api_keys")
