"""Policy version 1 and the tier benefits, so a fresh install can certify at once."""

from django.db import migrations

from mcn.default_policy import DEFAULT_BENEFITS, DEFAULT_POLICY


def seed(apps, schema_editor):
    TierPolicy = apps.get_model("mcn", "TierPolicy")
    TierBenefit = apps.get_model("mcn", "TierBenefit")
    if not TierPolicy.objects.exists():
        TierPolicy.objects.create(
            version=1,
            weights=DEFAULT_POLICY["weights"],
            thresholds=DEFAULT_POLICY["thresholds"],
            gates=DEFAULT_POLICY["gates"],
            window_days=DEFAULT_POLICY["window_days"],
            active=True,
            note="Olive's default rubric",
        )
    for tier, (impressions, priority) in DEFAULT_BENEFITS.items():
        TierBenefit.objects.get_or_create(
            tier=tier, defaults={"monthly_impressions": impressions, "brand_priority": priority}
        )


class Migration(migrations.Migration):
    dependencies = [("mcn", "0005_certification")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
