from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self):
        from tenancy.homes import register_home

        register_home("operator", "analytics:operator_home")
