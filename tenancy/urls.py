from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("switch/", views.switch_context, name="switch"),
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path(
        "settings/api-keys/<str:prefix>/revoke/", views.api_key_revoke_view, name="api_key_revoke"
    ),
]
