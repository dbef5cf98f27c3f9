from django.db import migrations, models
from django.db.models.functions import Coalesce


def runs_in_flight_have_a_heartbeat(apps, schema_editor):
    """A run "running" before heartbeats existed counts its start as its last heartbeat and as
    its first claim, so the new lease (much shorter than the old 31 minutes from the start)
    decides whether its worker is lost."""
    AllocationRun = apps.get_model("traffic", "AllocationRun")
    AllocationRun.objects.filter(status="running").update(
        heartbeat_at=Coalesce("started_at", "created_at"), claims=1
    )
    AllocationRun.objects.filter(
        status__in=["succeeded", "failed"], started_at__isnull=False
    ).update(claims=1)


class Migration(migrations.Migration):
    dependencies = [
        ("traffic", "0003_constraint_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="allocationrun",
            name="claims",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="How many times a worker has started the run"
            ),
        ),
        migrations.AddField(
            model_name="allocationrun",
            name="heartbeat_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Last sign of life of the worker executing the run",
                null=True,
            ),
        ),
        migrations.RunPython(runs_in_flight_have_a_heartbeat, migrations.RunPython.noop),
    ]
