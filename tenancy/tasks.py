from .services import api_keys_expire
from .tasking import periodic_task


@periodic_task("tenancy.api_keys_expire", runs=api_keys_expire)
def api_keys_expire_task(*, actor) -> int:
    """Beat job: revoke expired keys so the audit trail shows when each stopped working."""
    return api_keys_expire(actor=actor)
