from django.db import migrations

# The defaults as shipped (compliance.default_policy), frozen here: a migration must not change
# with later code. category: (review threshold, block threshold, restrict after, suspend after)
DEFAULT_POLICY = {
    "absolute": (0.65, 0.95, 3, 5),
    "medical": (0.65, 0.9, 2, 4),
    "off_platform": (0.65, 0.9, 2, 3),
    "counterfeit": (0.65, 0.85, 1, 2),
    "fake_price": (0.65, 0.95, 3, 5),
}


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
