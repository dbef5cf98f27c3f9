"""``seed_demo [--creators N] [--seed S] [--weeks W] [--end-date YYYY-MM-DD]``.

Demo tenants and logins, then the calibrated demo world. Idempotent: a second run changes
nothing (the world is loaded only into a database that does not have it yet).
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.services import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    demo_certification_seed,
    demo_compliance_seed,
    demo_incentives_seed,
    demo_match_index_seed,
    demo_tenants_seed,
    demo_world_seed,
)
from mcn.labels import tier_counts_line


class Command(BaseCommand):
    help = "Create (or leave as they are) the demo organizations, users and world."

    def add_arguments(self, parser):
        parser.add_argument("--creators", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--weeks", type=int, default=104)
        parser.add_argument(
            "--end-date",
            type=datetime.date.fromisoformat,
            default=None,
            help="last snapshot date (default: yesterday)",
        )

    def handle(self, *args, creators, seed, weeks, end_date, **options):
        if creators < 1 or weeks < 1:
            raise CommandError("--creators and --weeks must be at least 1.")
        started = time.perf_counter()
        demo_tenants_seed()
        if isinstance(end_date, str):  # call_command passes options as given, unparsed
            end_date = datetime.date.fromisoformat(end_date)
        end_date = end_date or timezone.localdate() - datetime.timedelta(days=1)
        counts = demo_world_seed(
            creators=creators,
            seed=seed,
            weeks=weeks,
            end_date=end_date,
            progress=self._progress,
        )
        if counts is None:
            self.stdout.write("Demo world already present; left unchanged.")
        else:
            summary = ", ".join(f"{n} {name}" for name, n in counts.items())
            self.stdout.write(
                f"Demo world loaded in {time.perf_counter() - started:.1f} s: {summary}."
            )
            runs = demo_certification_seed(end_date=end_date)
            cycles = "; ".join(f"{run.as_of}: {tier_counts_line(run.tier_counts)}" for run in runs)
            self.stdout.write(f"Certification cycles: {cycles}.")
            cases = demo_compliance_seed()
            self.stdout.write(f"Compliance: {cases} product claims sent to review.")
            build = demo_match_index_seed()
            self.stdout.write(
                f"Match index v{build.pk}: {build.creators} creators, "
                f"{build.training_pairs} collaborations trained on."
            )
            run = demo_incentives_seed(end_date=end_date)
            self.stdout.write(
                f"Incentive plan: {run.awarded} awards, ¥{run.awarded_amount} paid, "
                f"{run.refused} over budget."
            )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<10} → {login.lands_on}")

    def _progress(self, message: str) -> None:
        self.stdout.write(f"  … {message}")
