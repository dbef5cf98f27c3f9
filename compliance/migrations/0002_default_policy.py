from django.db import migrations

from compliance.default_policy import DEFAULT_POLICY


def write_default_policy(apps, schema_editor):
    Policy = apps.get_model("compliance", "Policy")
    for category, (review, block, restrict, suspend) in DEFAULT_POLICY.items():
        Policy.objects.get_or_create(
            category=category,
            defaults={
                "review_threshold": review,
                "block_threshold": block,
                "restrict_after": restrict,
                "suspend_after": suspend,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(write_default_policy, migrations.RunPython.noop)]
