"""A delivery's last error becomes a code and its parameters (worded in the reader's language
when read) instead of an English sentence; the sentences stored so far are read back into codes."""

import re

from django.db import migrations, models

HTTP = re.compile(r"^HTTP (\d{3})$")


def sentence_to_code(text: str) -> tuple[str, dict]:
    """The sentences webhooks.services wrote before this migration."""
    if not text:
        return "", {}
    if match := HTTP.match(text):
        return "http_status", {"status": int(match[1])}
    if text.startswith("Endpoint disabled"):
        return "endpoint_disabled", {}
    if text.startswith("Refused:"):
        return "refused", {"host": ""}
    return "connection", {"error": text[:200]}


def forwards(apps, schema_editor):
    Delivery = apps.get_model("webhooks", "WebhookDelivery")
    failed = Delivery._base_manager.exclude(last_error="")
    for delivery in failed.only("pk", "last_error").iterator():
        code, params = sentence_to_code(delivery.last_error)
        Delivery._base_manager.filter(pk=delivery.pk).update(
            last_error_code=code, last_error_params=params
        )


def backwards(apps, schema_editor):
    Delivery = apps.get_model("webhooks", "WebhookDelivery")
    english = {
        "refused": "Refused: {host}",
        "connection": "{error}",
        "http_status": "HTTP {status}",
        "endpoint_disabled": "Endpoint disabled; not sent.",
    }
    failed = Delivery._base_manager.exclude(last_error_code="")
    for delivery in failed.only("pk", "last_error_code", "last_error_params").iterator():
        text = english[delivery.last_error_code].format_map(
            {"host": "", "error": "", "status": "", **delivery.last_error_params}
        )
        Delivery._base_manager.filter(pk=delivery.pk).update(last_error=text[:200])


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0004_constraint_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookdelivery",
            name="last_error_code",
            field=models.CharField(
                blank=True,
                choices=[
                    ("refused", "Refused by the address check"),
                    ("connection", "Connection failed"),
                    ("http_status", "Answered with an error status"),
                    ("endpoint_disabled", "Endpoint disabled"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="last_error_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
        migrations.RemoveField(
            model_name="webhookdelivery",
            name="last_error",
        ),
    ]
