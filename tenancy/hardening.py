"""Sign-in hardening (django-axes; settings in config/settings.py, "Security").

- :class:`LoginThrottleBackend`: axes' lock-out check, first in AUTHENTICATION_BACKENDS.
- :func:`audit_lockout`: a lock-out (axes' ``user_locked_out``) is written to the audit log.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.dispatch import receiver

LOCKOUT_ACTION = "auth.login_locked_out"


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses every login of a locked-out username+IP before any backend checks the password.

    A call without a request (``Client.login`` in a test, a shell) has no IP to throttle by;
    axes would raise, and we let the next backend decide instead. Every sign-in Olive serves
    goes through ``LoginView``, which passes the request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_locked_out, dispatch_uid="tenancy.audit_lockout")
def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    """Audit a lock-out: which username, from which address. Acts as the system: nobody is
    signed in, and the record belongs to no organization (an operator reads it)."""
    from .scoping import SYSTEM
    from .services import audit_event_record

    audit_event_record(
        actor=SYSTEM,
        action=LOCKOUT_ACTION,
        data={"username": username or "", "ip_address": ip_address or ""},
    )


def lockout_response(request, original_response=None, credentials=None):
    """The lock-out page (AXES_LOCKOUT_CALLABLE): 429, in the user's language, saying how long."""
    from django.conf import settings
    from django.shortcuts import render

    cool_off = settings.AXES_COOLOFF_TIME
    minutes = max(1, int(cool_off.total_seconds() // 60))
    response = render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
