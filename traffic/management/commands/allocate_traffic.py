"""``allocate_traffic --pool N --target-gini G [--floor F] [--cap C] [--as-of YYYY-MM-DD]``.

Runs one allocation synchronously as SYSTEM and prints the run id, the Gini before and after,
the distance from proportional, the merit retained and the traffic packages' total and share of
the pool, one line each. Bad input (or an
infeasible request): one line on stderr and exit code 2.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from tenancy.scoping import SYSTEM, acting_as
from traffic.models import AllocationRun
from traffic.services import allocation_run_create, allocation_run_execute


class UsageError(Exception):
    pass


def _number(name, text, kind):
    try:
        return kind(text)
    except (TypeError, ValueError):
        raise UsageError(f"--{name} must be a number, got {text!r}") from None


class Command(BaseCommand):
    help = "Run one Gini-based traffic allocation now and print its figures."

    def add_arguments(self, parser):
        # Read as text and converted here, so that every bad value gets the same one-line error.
        parser.add_argument("--pool", required=True, help="impressions to split (integer ≥ 1)")
        parser.add_argument("--target-gini", required=True, help="0..1")
        parser.add_argument("--floor", default="0", help="minimum impressions per creator")
        parser.add_argument("--cap", default=None, help="maximum impressions per creator")
        parser.add_argument("--as-of", default=None, help="merit window end (default today)")

    def handle(self, *args, pool, target_gini, floor, cap, as_of, **options):
        try:
            run = self._run(pool, target_gini, floor, cap, as_of)
        except UsageError as error:
            self.stderr.write(f"error: {error}")
            raise SystemExit(2) from None
        self.stdout.write(f"run: {run.pk}")
        self.stdout.write(f"gini before: {run.gini_before:.4f}")
        self.stdout.write(f"gini after: {run.gini_after:.4f}")
        self.stdout.write(f"distance from proportional: {run.distance:.4f}")
        self.stdout.write(f"merit retained: {run.merit_retained:.4f}")
        self.stdout.write(
            f"traffic packages: {run.package_impressions} ({run.package_share:.1%} of the pool)"
        )

    def _run(self, pool, target_gini, floor, cap, as_of) -> AllocationRun:
        pool_value = _number("pool", pool, int)
        target = _number("target-gini", target_gini, float)
        floor_value = _number("floor", floor, float)
        cap_value = None if cap is None else _number("cap", cap, float)
        try:
            day = None if as_of is None else datetime.date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"--as-of must be a date YYYY-MM-DD, got {as_of!r}") from None
        with acting_as(SYSTEM):
            try:
                run = allocation_run_create(
                    actor=SYSTEM,
                    pool=pool_value,
                    target_gini=target,
                    floor=floor_value,
                    cap=cap_value,
                    as_of=day,
                )
            except ValidationError as error:
                raise UsageError("; ".join(error.messages)) from None
            run = allocation_run_execute(actor=SYSTEM, run_id=run.pk)
        if run.status != AllocationRun.Status.SUCCEEDED:
            raise UsageError(f"run {run.pk} failed: {run.error}")
        return run
