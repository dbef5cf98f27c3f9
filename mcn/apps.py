from django.apps import AppConfig


class McnConfig(AppConfig):
    name = "mcn"
