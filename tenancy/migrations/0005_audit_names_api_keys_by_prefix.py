# Audit records named API keys by their pk, "<prefix>.sha512$$<hex>", so the audit API showed the
# stored hash. They name a key by its prefix now (the public part, unique); this rewrites the
# records written before: target_id of key targets and "api-key:<pk>" actor labels keep what
# comes before the first ".". Two set-based UPDATEs, so a long audit trail is one pass each.
# Backwards it does nothing: the prefix still names the key, and the hash is not wanted back.

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import StrIndex, Substr

KEY_TARGET = "tenancy.apikey"
KEY_LABEL = "api-key:"


def _before_first_dot(field: str):
    return Substr(field, 1, StrIndex(field, Value(".")) - 1)


def name_keys_by_prefix(apps, schema_editor):
    events = apps.get_model("tenancy", "AuditEvent")._base_manager
    events.filter(target_type=KEY_TARGET, target_id__contains=".").update(
        target_id=_before_first_dot("target_id")
    )
    events.filter(actor_label__startswith=KEY_LABEL, actor_label__contains=".").update(
        actor_label=_before_first_dot("actor_label")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0004_default_manager_is_scoped"),
    ]

    operations = [
        migrations.RunPython(name_keys_by_prefix, migrations.RunPython.noop, elidable=True),
    ]
