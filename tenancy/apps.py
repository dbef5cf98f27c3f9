from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenancy"

    def ready(self):
        from axes.signals import user_locked_out

        from .homes import register_home

        # django-axes locked a username+IP out of sign-in: the audit log says who and from where.
        user_locked_out.connect(
            _audit_lockout, weak=False, dispatch_uid="tenancy.login_lockout_record"
        )

        register_home("partner", "tenancy:api_keys")


def _audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    from .services import login_lockout_record

    login_lockout_record(username=username or "", ip_address=ip_address or "")
