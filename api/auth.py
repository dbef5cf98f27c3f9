"""``Authorization: Api-Key <prefix.secret>`` authentication for partners."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from tenancy.models import ApiKey

KEYWORD = "Api-Key"
#: How stale ``last_used_at`` may get; writing it on every call would turn reads into writes.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class KeyPrincipal:
    """``request.user`` for a key: authenticated, but no person and no Django permissions."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key

    def __str__(self) -> str:
        return f"api-key {self.api_key.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        keyword, _sep, secret = header.partition(" ")
        if keyword != KEYWORD:
            return None
        api_key = self._usable_key(secret.strip())
        self._touch(api_key)
        return KeyPrincipal(api_key), api_key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return KEYWORD

    def _usable_key(self, secret: str) -> ApiKey:
        prefix, _dot, _rest = secret.partition(".")
        api_key = ApiKey.objects.select_related("organization").filter(prefix=prefix).first()
        if api_key is None or not api_key.is_valid(secret):
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        if api_key.revoked:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed(_("This API key has expired."))
        return api_key

    def _touch(self, api_key: ApiKey) -> None:
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
