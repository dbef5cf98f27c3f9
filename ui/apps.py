from django.apps import AppConfig


class UiConfig(AppConfig):
    """Page helpers and template tags; an app only so that Django finds ``templatetags``."""

    name = "ui"
