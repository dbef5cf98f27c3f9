"""Compliance pages (the views module says who may see each)."""

from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("compliance/", views.queue, name="queue"),
]
