from django.db import migrations, models


def finished_runs_are_done(apps, schema_editor):
    """Runs that succeeded before steps existed went through every step."""
    AllocationRun = apps.get_model("traffic", "AllocationRun")
    AllocationRun.objects.filter(status="succeeded").update(step="done")


class Migration(migrations.Migration):
    dependencies = [
        ("traffic", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="allocationrun",
            name="step",
            field=models.CharField(
                choices=[
                    ("queued", "Waiting for a worker"),
                    ("merit", "Loading merit"),
                    ("allocating", "Allocating impressions"),
                    ("writing", "Writing the results"),
                    ("done", "Done"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
        migrations.RunPython(finished_runs_are_done, migrations.RunPython.noop),
    ]
